import { Inject, Injectable, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import type { WebSocket } from 'ws';
import { APP_CONFIG, type AppConfig } from '@seckill/config';
import { SocketCloseCode, type RoomFrame } from '@seckill/contracts';
import { metrics } from '@seckill/observability';
import { onChannelMessage, subscribeChannel, type RedisClient } from '@seckill/redis';
import { parseRoomEvent, RoomStore, toFrame, type RoomEvent, type RoomState } from '@seckill/waiting-room';
import { REDIS_SUBSCRIBER } from '../socket/redis-subscriber.provider';
import { heartbeat } from '../socket/heartbeat';
import { SocketRegistry } from '../socket/socket-registry';
import { UserSocketSlots, type SocketSlot } from '../socket/user-socket-slots';

interface RoomSocket {
  ws: WebSocket;
  itemId: number;
  userId: number;
  /** This instance's number for the user's socket slot (0: none held). */
  slot: number;
  missedPongs: number;
}

/** Closes a socket whose wait is over; the last frame told the page why. */
const DONE = 1000;

/**
 * `ws://HOST:8085/room/{seckillGoodId}?token=…`: shoppers waiting in an item's room. Each socket gets its state at
 * once, its position every ROOM_PUSH_INTERVAL_MS (read from Redis, so it holds whichever instance holds the socket
 * and whichever instance admits), and its admission or the room's closing the moment the admitter announces it on
 * the room channel. A missed announcement costs at most one push interval: the next read finds the same state.
 * A final frame (admitted, closed) ends the socket with 1000.
 */
@Injectable()
export class RoomSockets implements OnModuleInit, BeforeApplicationShutdown {
  /** item → user → that user's sockets on this instance (tabs). */
  private readonly byItem = new Map<number, Map<number, Set<RoomSocket>>>();
  private slotsIssued = 0;
  private pushTimer?: NodeJS.Timeout;
  private beatTimer?: NodeJS.Timeout;
  private pushing = false;

  constructor(
    private readonly store: RoomStore,
    @Inject(REDIS_SUBSCRIBER) private readonly subscriber: RedisClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly logger: PinoLogger,
    private readonly slots: UserSocketSlots,
    private readonly registry: SocketRegistry,
  ) {
    logger.setContext('RoomSockets');
  }

  get size(): number {
    let n = 0;
    for (const users of this.byItem.values()) for (const set of users.values()) n += set.size;
    return n;
  }

  onModuleInit(): void {
    onChannelMessage(this.subscriber, (channel, payload) => {
      if (channel === this.store.channel) this.onEvent(payload);
    });
    const subscribe = (): void => {
      subscribeChannel(this.subscriber, this.store.channel).catch((err: unknown) => this.logger.warn({ err }, 'could not subscribe to the room channel; positions still arrive by push'));
    };
    this.subscriber.on('ready', subscribe);
    if (this.subscriber.status === 'ready') subscribe();
    this.pushTimer = setInterval(() => void this.pushAll(), this.config.ROOM_PUSH_INTERVAL_MS);
    this.pushTimer.unref();
    this.beatTimer = setInterval(() => this.beat(), this.config.NOTIFIER_PING_INTERVAL_MS);
    this.beatTimer.unref();
  }

  beforeApplicationShutdown(): void {
    clearInterval(this.pushTimer);
    clearInterval(this.beatTimer);
    for (const s of this.all()) s.ws.close(1001, 'server shutting down');
  }

  /**
   * A socket that passed the screen. The user's socket slot first (the limit across instances counts room sockets
   * too), then the state: waiting sockets stay, everything else is answered and closed. Never throws.
   */
  async admit(ws: WebSocket, itemId: number, userId: number): Promise<void> {
    const s: RoomSocket = { ws, itemId, userId, slot: 0, missedPongs: 0 };
    ws.on('error', (err) => this.logger.debug({ err }, 'room socket error'));
    ws.once('close', () => this.closed(s));
    try {
      s.slot = ++this.slotsIssued;
      if (!(await this.slots.claim(this.slotOf(s)))) {
        s.slot = 0;
        return refuse(ws, SocketCloseCode.TOO_MANY_SOCKETS, 'too many open sockets for this user');
      }
      if (ws.readyState !== ws.OPEN) return;
      ws.on('pong', () => (s.missedPongs = 0));
      this.add(s);
      metrics.wsConnections.inc();
      this.deliver(s, await this.store.read(itemId, userId));
    } catch (err) {
      this.logger.warn({ err, seckillGoodId: itemId }, 'room socket could not be set up; closed with 1011');
      if (ws.readyState === ws.OPEN) ws.close(SocketCloseCode.SERVER_ERROR, 'temporarily unavailable; reconnect');
    }
  }

  /** Sends what the state says: a position keeps the socket; admission, closing or no place end it. */
  private deliver(s: RoomSocket, state: RoomState): void {
    if (s.ws.readyState !== s.ws.OPEN) return;
    const frame = toFrame(s.itemId, state);
    if (!frame) {
      const reason = state.kind === 'OPEN' ? 'this item has no waiting room now: order directly' : 'not in this waiting room: join it over HTTP first';
      return refuse(s.ws, SocketCloseCode.NOT_IN_ROOM, reason);
    }
    this.send(s, frame);
    if (frame.type !== 'room.position') s.ws.close(DONE, frame.type === 'room.admitted' ? 'admitted' : 'room closed');
  }

  private send(s: RoomSocket, frame: RoomFrame): void {
    s.ws.send(JSON.stringify(frame));
    metrics.wsPushes.inc({ type: frame.type });
  }

  private onEvent(payload: string): void {
    const event = parseRoomEvent(payload);
    if (!event) return this.logger.warn({}, 'ignored a malformed room announcement');
    const users = this.byItem.get(event.itemId);
    if (!users) return;
    if (event.kind === 'closed') {
      for (const set of users.values()) for (const s of set) this.deliver(s, { kind: 'CLOSED', reason: event.reason });
      return;
    }
    this.admitted(users, event);
  }

  private admitted(users: Map<number, Set<RoomSocket>>, event: Extract<RoomEvent, { kind: 'admitted' }>): void {
    for (const [userId, token] of event.admitted) {
      const set = users.get(userId);
      if (!set) continue;
      for (const s of set) this.deliver(s, { kind: 'ADMITTED', token, expiresMs: event.expiresMs });
      this.logger.info({ seckillGoodId: event.itemId, userId }, 'admission pushed');
    }
  }

  /**
   * Every waiting socket's position again: they move as others are admitted. Per room, the whole line is read once
   * (RoomStore.snapshot); only sockets whose shopper is no longer in it (admitted, or the room changed) are read one
   * by one. A script call per socket instead cost the notifier and Redis 10,000 calls a second at 20,000 sockets
   * (npm run loadtest -- --room). One pass at a time.
   */
  private async pushAll(): Promise<void> {
    if (this.pushing) return;
    this.pushing = true;
    try {
      await Promise.all([...this.byItem.entries()].map(([itemId, users]) => this.pushRoom(itemId, users)));
    } finally {
      this.pushing = false;
    }
  }

  private async pushRoom(itemId: number, users: Map<number, Set<RoomSocket>>): Promise<void> {
    const sockets = [...users.values()].flatMap((set) => [...set]);
    try {
      const line = await this.store.snapshot(itemId);
      const now = Date.now();
      const strays: RoomSocket[] = [];
      for (const s of sockets) {
        const ahead = line.ahead.get(s.userId);
        if (line.closed) this.deliver(s, { kind: 'CLOSED', reason: line.closed });
        else if (line.enabled && ahead !== undefined) this.deliver(s, { kind: 'WAITING', ahead, nowMs: now, pace: line.pace });
        else strays.push(s);
      }
      await Promise.all(strays.map(async (s) => this.deliver(s, await this.store.read(itemId, s.userId))));
    } catch (err) {
      this.logger.debug({ err, seckillGoodId: itemId }, 'could not read a room\'s line; the next push will');
    }
  }

  /** The order sockets' heartbeat, for room sockets: ping, drop the silent, renew the users' slots. */
  private beat(): void {
    const alive = heartbeat(this.all());
    this.slots.refresh(alive.filter((s) => s.slot !== 0).map((s) => this.slotOf(s))).catch((err: unknown) => {
      this.logger.warn({ err, sockets: alive.length }, 'could not renew room socket slots; the next beat will');
    });
  }

  private add(s: RoomSocket): void {
    let users = this.byItem.get(s.itemId);
    if (!users) this.byItem.set(s.itemId, (users = new Map()));
    let set = users.get(s.userId);
    if (!set) users.set(s.userId, (set = new Set()));
    set.add(s);
  }

  private closed(s: RoomSocket): void {
    if (s.slot !== 0) void this.slots.release(this.slotOf(s));
    const users = this.byItem.get(s.itemId);
    const set = users?.get(s.userId);
    if (!users || !set?.delete(s)) return;
    metrics.wsConnections.dec();
    if (set.size === 0) users.delete(s.userId);
    if (users.size === 0) this.byItem.delete(s.itemId);
  }

  private all(): RoomSocket[] {
    const out: RoomSocket[] = [];
    for (const users of this.byItem.values()) for (const set of users.values()) out.push(...set);
    return out;
  }

  private slotOf(s: RoomSocket): SocketSlot {
    return { userId: s.userId, id: `${this.registry.instanceId}:room:${s.slot}` };
  }
}

function refuse(ws: WebSocket, code: number, reason: string): void {
  if (ws.readyState !== ws.OPEN) return;
  metrics.wsRefused.inc({ code: String(code) });
  ws.close(code, reason);
}
