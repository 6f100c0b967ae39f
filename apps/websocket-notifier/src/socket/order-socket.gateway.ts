import type { IncomingMessage } from 'node:http';
import { Inject, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { WebSocketGateway } from '@nestjs/websockets';
import { PinoLogger } from 'nestjs-pino';
import type { WebSocket } from 'ws';
import { TokenService } from '@seckill/auth';
import { APP_CONFIG, type AppConfig } from '@seckill/config';
import { DomainError, SocketCloseCode, type OrderFrame } from '@seckill/contracts';
import { metrics } from '@seckill/observability';
import { DurableOutcomes } from '../outcomes/durable-outcomes';
import { OutcomeStore, type Announcement } from '../outcomes/outcome-store';
import { frameBit, LocalSockets, RESULT_BIT, type WaitingSocket } from './local-sockets';
import { REDIS_SUBSCRIBER } from './redis-subscriber.provider';
import { SocketRegistry } from './socket-registry';
import { UserSocketSlots, type SocketSlot } from './user-socket-slots';
import { WaitQueue } from './wait-queue';
import { heartbeat } from './heartbeat';
import { RoomSockets } from '../room/room-sockets';
import { onChannelMessage, subscribeChannel, type RedisClient } from '@seckill/redis';

/** What the checks made before any state exists say about an upgrade: who waits on which uuid, or how to close. */
export type Admitted = { uuid: string; userId: number };
/** A shopper waiting in an item's room (`/room/{seckillGoodId}`), handed to RoomSockets. */
export type RoomAdmitted = { room: number; userId: number };
export type Screened = Admitted | RoomAdmitted | { refuse: number; reason: string };

const UUID_PATH = /^\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/?$/i;
const ROOM_PATH = /^\/room\/([1-9][0-9]{0,9})\/?$/;
const MAX_ITEM_ID = 2_147_483_647;

/** The safety net: sockets still without a result after STALE_AFTER_MS are looked up in PostgreSQL. */
const STALE_AFTER_MS = 10_000;
const RECHECK_EVERY_MS = 5_000;
const RECHECK_AGAIN_AFTER_MS = 30_000;

/**
 * `ws://HOST:8085/{uuid}?token=…`. Connect order matters: the socket is registered locally and its uuid in the
 * registry (SocketRegistry: which instances hold it) BEFORE the stored outcome is read, so an outcome is either
 * already stored (sent now) or announced to this instance's channel (sent then). Sends are de-duplicated per
 * socket, since both can happen.
 *
 * Redis is a cache of outcomes here: if it is lost (restarted empty) together with an announcement in flight,
 * the stored copy and the push are both gone. A safety net asks PostgreSQL, the truth, for the outcome of
 * sockets still waiting after a while, and of every waiting socket right after the subscriber reconnects, and
 * puts what it finds back into Redis.
 *
 * Per socket this holds one small record (WaitingSocket) and two listeners; the heartbeat, the safety net and
 * the bounded wait on unowned uuids are one timer each for all sockets (docs/notifier.md, Capacity).
 */
@WebSocketGateway({ path: '/' })
export class OrderSocketGateway implements OnModuleInit, BeforeApplicationShutdown {
  private readonly local = new LocalSockets();
  /** Sockets past the screen and not yet closed (being set up or waiting): what NOTIFIER_MAX_SOCKETS bounds. */
  private held = 0;
  private slotsIssued = 0;
  private heartbeat?: NodeJS.Timeout;
  private safetyNet?: NodeJS.Timeout;
  /** Bumped by every resync, so an older one still retrying gives way. */
  private resyncs = 0;
  /** Sockets on a uuid nobody owned when they connected, until their bounded wait ends (one timer for all). */
  private readonly unowned: WaitQueue<WaitingSocket>;
  /** One handler for every socket's errors: a reset mid-frame ends that socket only; its 'close' cleans up. */
  private readonly onSocketError = (err: Error): void => this.logger.debug({ err }, 'socket error');

  constructor(
    private readonly tokens: TokenService,
    private readonly store: OutcomeStore,
    private readonly durable: DurableOutcomes,
    @Inject(REDIS_SUBSCRIBER) private readonly subscriber: RedisClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly logger: PinoLogger,
    private readonly slots: UserSocketSlots,
    private readonly registry: SocketRegistry,
    private readonly rooms: RoomSockets,
  ) {
    logger.setContext('OrderSocket');
    this.unowned = new WaitQueue(config.NOTIFIER_UNOWNED_WAIT_MS, (s) => void this.expireUnowned(s));
  }

  get connections(): number {
    return this.local.size;
  }

  /** Sockets this instance holds, including those still being set up. */
  get heldSockets(): number {
    return this.held;
  }

  /**
   * The checks that need nothing but the request, made before any state exists for the socket — by the adapter
   * during the upgrade (a refused client gets a socket only to be told the close code). Synchronous and cheap:
   * the path, the token (HS256), this instance's limit. Only the result is kept, never the request.
   */
  screen(req: IncomingMessage): Screened {
    const url = new URL(req.url ?? '/', 'ws://notifier');
    const uuid = UUID_PATH.exec(url.pathname)?.[1]?.toLowerCase();
    const room = Number(ROOM_PATH.exec(url.pathname)?.[1] ?? NaN);
    const roomOk = Number.isSafeInteger(room) && room <= MAX_ITEM_ID;
    if (!uuid && !roomOk) return { refuse: SocketCloseCode.BAD_PATH, reason: 'path must be /{uuid} or /room/{seckillGoodId}' };
    let userId: number;
    try {
      userId = this.tokens.verify(url.searchParams.get('token') ?? '').id;
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      return { refuse: SocketCloseCode.UNAUTHORIZED, reason: 'invalid or missing token' };
    }
    if (this.held >= this.config.NOTIFIER_MAX_SOCKETS) return { refuse: SocketCloseCode.TRY_AGAIN_LATER, reason: 'notifier at capacity; try again later' };
    return uuid ? { uuid, userId } : { room, userId };
  }

  /** Closes a socket the guard refused, counting it once (seckill_ws_refused_total{code}). */
  static refuse(ws: WebSocket, code: number, reason: string): void {
    if (ws.readyState !== ws.OPEN) return;
    metrics.wsRefused.inc({ code: String(code) });
    ws.close(code, reason);
  }

  onModuleInit(): void {
    onChannelMessage(this.subscriber, (channel, payload) => this.onAnnounced(channel, payload));
    // Subscribes this instance's channel, and after a reconnect re-registers and re-reads what every waiting
    // uuid has (announcements made meanwhile are lost). On every 'ready', and now if it is already up (the first
    // 'ready' may have come before this listener).
    this.subscriber.on('ready', () => void this.resync());
    if (this.subscriber.status === 'ready') void this.resync();
    this.heartbeat = setInterval(() => this.beat(), this.config.NOTIFIER_PING_INTERVAL_MS);
    this.heartbeat.unref();
    this.safetyNet = setInterval(() => void this.recheck(STALE_AFTER_MS), RECHECK_EVERY_MS);
    this.safetyNet.unref();
  }

  /**
   * Before the adapter terminates the sockets: a clean 1001 "going away" tells the page to reconnect (to
   * another instance if this one is not coming back) rather than report an error. Bounded to one second.
   */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.heartbeat);
    clearInterval(this.safetyNet);
    this.unowned.stop();
    const sockets = this.local.all();
    const closed = sockets.map((s) => new Promise<void>((resolve) => s.ws.once('close', () => resolve())));
    for (const s of sockets) s.ws.close(1001, 'server shutting down');
    await Promise.race([Promise.all(closed), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
  }

  /** A socket handed over with its upgrade request: screened, then admitted (the adapter screens during the upgrade). */
  async handleConnection(ws: WebSocket, req: IncomingMessage): Promise<void> {
    let screened: Screened;
    try {
      screened = this.screen(req);
    } catch (err) {
      this.logger.warn({ err }, 'socket could not be screened; closed with 1011');
      return ws.close(SocketCloseCode.SERVER_ERROR, 'temporarily unavailable; reconnect');
    }
    if ('refuse' in screened) return OrderSocketGateway.refuse(ws, screened.refuse, screened.reason);
    await this.admit(ws, screened);
  }

  /**
   * A socket that passed the screen. Never throws: the adapter does not await this, so a rejection would be
   * unhandled. A dependency that fails here (Redis, for the owner check or the registry) closes the socket with
   * 1011, which the page answers by reconnecting (and polling meanwhile).
   */
  async admit(ws: WebSocket, screened: Admitted | RoomAdmitted): Promise<void> {
    this.held++;
    if ('room' in screened) {
      ws.once('close', () => this.held--);
      return this.rooms.admit(ws, screened.room, screened.userId);
    }
    const { uuid, userId } = screened;
    const socket: WaitingSocket = { ws, uuid, userId, sent: 0, missedPongs: 0, since: Date.now(), slot: 0, registered: false, owned: false };
    ws.once('close', () => this.closed(socket));
    ws.on('error', this.onSocketError);
    try {
      await this.accept(socket);
    } catch (err) {
      this.logger.warn({ err, uuid }, 'socket could not be set up; closed with 1011');
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(SocketCloseCode.SERVER_ERROR, 'temporarily unavailable; reconnect');
    }
  }

  /**
   * The owner check, then the user's slot across instances (a socket refused for either never counts), then the
   * socket is registered, here and in the registry, and the store read. A uuid nobody owns yet gets a bounded wait.
   */
  private async accept(socket: WaitingSocket): Promise<void> {
    const { ws, uuid, userId } = socket;
    const owner = await this.store.owner(uuid);
    if (owner !== null && owner !== userId) return OrderSocketGateway.refuse(ws, SocketCloseCode.FORBIDDEN, 'not your order');
    if (ws.readyState !== ws.OPEN) return;
    // Numbered before the claim: a close while it is in flight releases it (after the claim, on one connection).
    socket.slot = ++this.slotsIssued;
    if (!(await this.slots.claim(this.slotOf(socket)))) {
      socket.slot = 0;
      return OrderSocketGateway.refuse(ws, SocketCloseCode.TOO_MANY_SOCKETS, 'too many open sockets for this user');
    }
    if (ws.readyState !== ws.OPEN) return;

    socket.owned = owner === userId;
    if (!socket.owned) this.unowned.add(socket);
    ws.on('pong', () => (socket.missedPongs = 0));
    metrics.wsConnections.inc();
    socket.registered = true;
    if (this.local.add(socket)) await this.registry.register(uuid);
    const stored = await this.store.read(uuid);
    if (stored) this.deliver(socket, stored.userId, stored.frames);
    this.logger.debug({ uuid, userId }, 'socket waiting');
  }

  /** A socket's one close handler, whatever stage it reached. */
  private closed(s: WaitingSocket): void {
    this.held--;
    if (s.slot !== 0) void this.slots.release(this.slotOf(s));
    if (!s.registered) return;
    metrics.wsConnections.dec();
    if (this.local.remove(s)) void this.registry.unregister(s.uuid);
  }

  private slotOf(s: WaitingSocket): SocketSlot {
    return { userId: s.userId, id: `${this.registry.instanceId}:${s.slot}` };
  }

  private onAnnounced(channel: string, payload: string): void {
    if (channel !== this.registry.channel()) return;
    let announced: Announcement;
    try {
      announced = JSON.parse(payload) as Announcement;
      if (typeof announced.uuid !== 'string' || typeof announced.frame !== 'object') throw new Error('not an announcement');
    } catch (err) {
      this.logger.warn({ err }, 'ignored a malformed announcement');
      return;
    }
    const sockets = this.local.of(announced.uuid);
    this.logger.debug({ uuid: announced.uuid, sockets: sockets.length }, 'announcement received');
    for (const s of sockets) this.deliver(s, announced.userId, [announced.frame]);
  }

  /** Readiness: the subscriber connection is up, so announcements reach this instance's sockets. */
  subscriberState(): { ready: boolean; detail?: string } {
    return this.subscriber.status === 'ready' ? { ready: true } : { ready: false, detail: `Redis subscriber ${this.subscriber.status}` };
  }

  private deliver(s: WaitingSocket, owner: number, frames: readonly OrderFrame[]): void {
    // The uuid turned out to be someone else's (it was unknown when this socket connected).
    if (owner !== s.userId) return OrderSocketGateway.refuse(s.ws, SocketCloseCode.FORBIDDEN, 'not your order');
    this.markOwned(s);
    for (const frame of frames) {
      const bit = frameBit(frame);
      if (s.sent & bit || s.ws.readyState !== s.ws.OPEN) continue;
      s.sent |= bit;
      s.ws.send(JSON.stringify(frame));
      metrics.wsPushes.inc({ type: frame.type });
      this.logger.info({ uuid: s.uuid, type: frame.type, status: frame.status }, 'pushed to socket');
    }
  }

  /**
   * On the subscriber's every 'ready'. Subscribing (again: ioredis re-subscribes after a reconnect too) and
   * awaiting the reply tells when this instance's channel is heard (replies come in order). Then the registry
   * entries are renewed (Redis may have come back empty) and only then the stored outcomes read: whatever is
   * stored later is announced to this instance, and what was stored earlier is read now. The commands go
   * through the command connection, which may come back later than the subscriber (Redis restarted): they are
   * retried until they answer, or until a newer resync takes over.
   */
  private async resync(): Promise<void> {
    const run = ++this.resyncs;
    for (let attempt = 0; run === this.resyncs; attempt++) {
      let waiting: string[] = [];
      try {
        await subscribeChannel(this.subscriber, this.registry.channel());
        // Read once the channel is heard: a uuid registered later hears its announcements itself.
        waiting = this.local.uuids();
        if (waiting.length === 0) return;
        await this.registry.refresh(waiting);
        const replayed = await this.replay(waiting);
        this.logger.info({ waiting: waiting.length, replayed }, 'subscriber back: stored outcomes re-read');
        // Redis may have come back empty: what it lost, PostgreSQL still has.
        await this.recheck(0);
        return;
      } catch (err) {
        if (attempt === 0) this.logger.warn({ err, waiting: waiting.length }, 'could not re-read stored outcomes after a reconnect; retrying');
        await new Promise((r) => setTimeout(r, Math.min(2000, 200 * (attempt + 1))));
      }
    }
  }

  /** Reads the stored outcome of each uuid and delivers it to its sockets here; returns how many had one. */
  private async replay(uuids: readonly string[]): Promise<number> {
    let found = 0;
    for (const uuid of uuids) {
      const stored = await this.store.read(uuid);
      if (!stored) continue;
      found++;
      for (const s of this.local.of(uuid)) this.deliver(s, stored.userId, stored.frames);
    }
    return found;
  }

  /**
   * Asks PostgreSQL for the outcome of sockets that have waited longer than `olderThanMs` without a result (each
   * at most every RECHECK_AGAIN_AFTER_MS), one query for all of them. Found outcomes are pushed and put back into
   * Redis. Best effort: PostgreSQL being away only means the next pass tries again.
   */
  private async recheck(olderThanMs: number): Promise<void> {
    const now = Date.now();
    const due = this.local
      .all()
      .filter((s) => !(s.sent & RESULT_BIT) && now - s.since >= olderThanMs && (s.checkedAt === undefined || now - s.checkedAt >= RECHECK_AGAIN_AFTER_MS));
    if (due.length === 0) return;
    for (const s of due) s.checkedAt = now;
    const uuids = [...new Set(due.map((s) => s.uuid))];
    try {
      const found = await this.durable.find(uuids);
      for (const [uuid, outcome] of found) {
        // Back into Redis first: a socket on another instance that connects once this one is served finds it.
        await this.store.restore(uuid, outcome).catch(() => undefined);
        for (const s of this.local.of(uuid)) this.deliver(s, outcome.userId, outcome.frames);
      }
      if (found.size > 0) this.logger.warn({ checked: uuids.length, found: found.size }, 'outcomes missing from Redis found in PostgreSQL and pushed');
    } catch (err) {
      this.logger.debug({ err, checked: uuids.length }, 'could not ask PostgreSQL for waiting outcomes; the next pass will');
    }
  }

  private markOwned(s: WaitingSocket): void {
    s.owned = true;
  }

  /**
   * The bounded wait on a uuid nobody owned when the socket connected is over. The owner is asked once more (the
   * order may have been reserved meanwhile without a result yet): the user's, it waits on; another's, 4403;
   * still nobody's, 4408. Redis not answering: 1011, and the page reconnects.
   */
  private async expireUnowned(s: WaitingSocket): Promise<void> {
    if (s.owned || s.ws.readyState !== s.ws.OPEN) return;
    let owner: number | null;
    try {
      owner = await this.store.owner(s.uuid);
    } catch (err) {
      this.logger.warn({ err, uuid: s.uuid }, 'could not look up the owner of a waiting uuid; closed with 1011');
      return s.ws.close(SocketCloseCode.SERVER_ERROR, 'temporarily unavailable; reconnect');
    }
    if (s.owned || s.ws.readyState !== s.ws.OPEN) return;
    if (owner === s.userId) return this.markOwned(s);
    if (owner !== null) return OrderSocketGateway.refuse(s.ws, SocketCloseCode.FORBIDDEN, 'not your order');
    OrderSocketGateway.refuse(s.ws, SocketCloseCode.UNOWNED_TIMEOUT, 'no order request with this uuid');
  }

  /**
   * Every interval: drop sockets that missed two pongs, ping the rest, renew the rest's slots and this
   * instance's registry entries in Redis. An entry found gone (Redis lost it) may have cost an announcement:
   * that uuid's store is read again.
   */
  private beat(): void {
    const alive = heartbeat(this.local.all());
    this.slots.refresh(alive.map((s) => this.slotOf(s))).catch((err: unknown) => {
      this.logger.warn({ err, sockets: alive.length }, 'could not renew socket slots; the next beat will');
    });
    const uuids = [...new Set(alive.map((s) => s.uuid))];
    this.registry
      .refresh(uuids)
      .then(async (lapsed) => {
        if (lapsed.length === 0) return;
        const replayed = await this.replay(lapsed);
        this.logger.warn({ lapsed: lapsed.length, replayed }, 'registry entries were gone; re-registered and stored outcomes re-read');
      })
      .catch((err: unknown) => this.logger.warn({ err, uuids: uuids.length }, 'could not renew registry entries; the next beat will'));
  }
}
