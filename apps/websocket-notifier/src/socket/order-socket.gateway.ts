import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Inject, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { WebSocketGateway, type OnGatewayConnection } from '@nestjs/websockets';
import type Redis from 'ioredis';
import { PinoLogger } from 'nestjs-pino';
import type { WebSocket } from 'ws';
import { TokenService } from '@seckill/auth';
import { APP_CONFIG, type AppConfig } from '@seckill/config';
import { DomainError, SocketCloseCode, type OrderFrame } from '@seckill/contracts';
import { metrics } from '@seckill/observability';
import { DurableOutcomes } from '../outcomes/durable-outcomes';
import { OutcomeStore } from '../outcomes/outcome-store';
import { frameKey, LocalSockets, type WaitingSocket } from './local-sockets';
import { REDIS_SUBSCRIBER } from './redis-subscriber.provider';
import { UserSocketSlots } from './user-socket-slots';

/** What the checks made before any state exists say about an upgrade: who waits on which uuid, or how to close. */
export type Screened = { uuid: string; userId: number } | { refuse: number; reason: string };

const UUID_PATH = /^\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/?$/i;

/** The safety net: sockets still without a result after STALE_AFTER_MS are looked up in PostgreSQL. */
const STALE_AFTER_MS = 10_000;
const RECHECK_EVERY_MS = 5_000;
const RECHECK_AGAIN_AFTER_MS = 30_000;

/**
 * `ws://HOST:8085/{uuid}?token=…`. Connect order matters: the socket is registered and its uuid's channel
 * subscribed BEFORE the stored outcome is read, so an outcome is either already stored (sent now) or will be
 * announced on the channel (sent then). Sends are de-duplicated per socket, since both can happen.
 *
 * Redis is a cache of outcomes here: if it is lost (restarted empty) together with an announcement in flight,
 * the stored copy and the push are both gone. A safety net asks PostgreSQL, the truth, for the outcome of
 * sockets still waiting after a while, and of every waiting socket right after the subscriber reconnects, and
 * puts what it finds back into Redis.
 */
@WebSocketGateway({ path: '/' })
export class OrderSocketGateway implements OnGatewayConnection, OnModuleInit, BeforeApplicationShutdown {
  private readonly local = new LocalSockets();
  /** Sockets past the screen and not yet closed (being set up or waiting): what NOTIFIER_MAX_SOCKETS bounds. */
  private held = 0;
  /** Names this instance's slots in Redis (unique across instances and restarts). */
  private readonly instanceId = randomUUID();
  private slotsIssued = 0;
  private heartbeat?: NodeJS.Timeout;
  private safetyNet?: NodeJS.Timeout;
  /** Bumped by every resync, so an older one still retrying gives way. */
  private resyncs = 0;

  constructor(
    private readonly tokens: TokenService,
    private readonly store: OutcomeStore,
    private readonly durable: DurableOutcomes,
    @Inject(REDIS_SUBSCRIBER) private readonly subscriber: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly logger: PinoLogger,
    private readonly slots: UserSocketSlots,
  ) {
    logger.setContext('OrderSocket');
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
   * during the upgrade (a refused client gets a socket only to be told the close code), and again here for a
   * socket handed over. Synchronous and cheap: the path, the token (HS256), this instance's limit.
   */
  screen(req: IncomingMessage): Screened {
    const url = new URL(req.url ?? '/', 'ws://notifier');
    const uuid = UUID_PATH.exec(url.pathname)?.[1]?.toLowerCase();
    if (!uuid) return { refuse: SocketCloseCode.BAD_PATH, reason: 'path must be /{uuid}' };
    let userId: number;
    try {
      userId = this.tokens.verify(url.searchParams.get('token') ?? '').id;
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      return { refuse: SocketCloseCode.UNAUTHORIZED, reason: 'invalid or missing token' };
    }
    if (this.held >= this.config.NOTIFIER_MAX_SOCKETS) return { refuse: SocketCloseCode.TRY_AGAIN_LATER, reason: 'notifier at capacity; try again later' };
    return { uuid, userId };
  }

  /** Closes a socket the guard refused, counting it once (seckill_ws_refused_total{code}). */
  static refuse(ws: WebSocket, code: number, reason: string): void {
    if (ws.readyState !== ws.OPEN) return;
    metrics.wsRefused.inc({ code: String(code) });
    ws.close(code, reason);
  }

  onModuleInit(): void {
    this.subscriber.on('message', (channel: string, payload: string) => this.onAnnounced(channel, payload));
    // Announcements made while the subscriber was reconnecting are lost: re-read what every waiting uuid has.
    // On every 'ready' (the first one may come before this listener, so it cannot be told from a reconnect by
    // counting; with no socket waiting yet, a resync does nothing).
    this.subscriber.on('ready', () => void this.resync());
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
    const sockets = this.local.all();
    const closed = sockets.map((s) => new Promise<void>((resolve) => s.ws.once('close', () => resolve())));
    for (const s of sockets) s.ws.close(1001, 'server shutting down');
    await Promise.race([Promise.all(closed), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
  }

  /**
   * Never throws: the WebSocket adapter does not await this, so a rejection would be unhandled. A dependency
   * that fails here (Redis, for the owner check or the subscription) closes the socket with 1011, which the page
   * answers by reconnecting (and polling meanwhile).
   */
  async handleConnection(ws: WebSocket, req: IncomingMessage): Promise<void> {
    let screened: Screened;
    try {
      screened = this.screen(req);
    } catch (err) {
      this.logger.warn({ err }, 'socket could not be screened; closed with 1011');
      return ws.close(SocketCloseCode.SERVER_ERROR, 'temporarily unavailable; reconnect');
    }
    if ('refuse' in screened) return OrderSocketGateway.refuse(ws, screened.refuse, screened.reason);
    this.held++;
    ws.once('close', () => this.held--);
    try {
      await this.accept(ws, screened.uuid, screened.userId);
    } catch (err) {
      this.logger.warn({ err, url: req.url?.split('?')[0] }, 'socket could not be set up; closed with 1011');
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(SocketCloseCode.SERVER_ERROR, 'temporarily unavailable; reconnect');
    }
  }

  /**
   * The screen passed: the owner check, then the user's slot across instances (a socket refused for either never
   * counts), then the socket is registered and subscribed. A socket whose uuid is nobody's yet gets a bounded wait.
   */
  private async accept(ws: WebSocket, uuid: string, userId: number): Promise<void> {
    const owner = await this.store.owner(uuid);
    if (owner !== null && owner !== userId) return OrderSocketGateway.refuse(ws, SocketCloseCode.FORBIDDEN, 'not your order');
    if (ws.readyState !== ws.OPEN) return;
    const slot = { userId, id: `${this.instanceId}:${++this.slotsIssued}` };
    if (!(await this.slots.claim(slot))) return OrderSocketGateway.refuse(ws, SocketCloseCode.TOO_MANY_SOCKETS, 'too many open sockets for this user');
    // Closed while the claim was in flight: its close handlers ran before there was anything to clean up.
    if (ws.readyState !== ws.OPEN) return void this.slots.release(slot);

    const socket: WaitingSocket = { ws, uuid, userId, sent: new Set(), missedPongs: 0, since: Date.now(), slotId: slot.id, owned: owner === userId };
    if (!socket.owned) socket.unownedTimer = setTimeout(() => void this.expireUnowned(socket), this.config.NOTIFIER_UNOWNED_WAIT_MS).unref();
    ws.on('pong', () => (socket.missedPongs = 0));
    // A socket-level failure (a reset mid-frame) ends this socket only; its 'close' follows and cleans up.
    ws.on('error', (err) => this.logger.debug({ err, uuid }, 'socket error'));
    metrics.wsConnections.inc();
    ws.on('close', () => {
      metrics.wsConnections.dec();
      clearTimeout(socket.unownedTimer);
      void this.slots.release(slot);
      if (this.local.remove(socket)) void this.subscriber.unsubscribe(this.store.channel(uuid)).catch(() => undefined);
    });
    if (this.local.add(socket)) await this.subscriber.subscribe(this.store.channel(uuid));
    const stored = await this.store.read(uuid);
    if (stored) this.deliver(socket, stored.userId, stored.frames);
    this.logger.debug({ uuid, userId }, 'socket waiting');
  }

  private onAnnounced(channel: string, payload: string): void {
    const uuid = channel.slice(channel.lastIndexOf(':') + 1);
    let announced: { userId: number; frame: OrderFrame };
    try {
      announced = JSON.parse(payload) as { userId: number; frame: OrderFrame };
    } catch (err) {
      this.logger.warn({ err, uuid }, 'ignored a malformed announcement');
      return;
    }
    const sockets = this.local.of(uuid);
    this.logger.debug({ uuid, sockets: sockets.length }, 'announcement received');
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
      const key = frameKey(frame);
      if (s.sent.has(key) || s.ws.readyState !== s.ws.OPEN) continue;
      s.sent.add(key);
      s.ws.send(JSON.stringify(frame));
      metrics.wsPushes.inc({ type: frame.type });
      this.logger.info({ uuid: s.uuid, type: frame.type, status: frame.status }, 'pushed to socket');
    }
  }

  /**
   * After the subscriber reconnected. ioredis re-subscribes right after its 'ready' event; subscribing again here
   * and awaiting the reply tells when that is in effect (replies come in order). Only then are the stored
   * outcomes read: whatever is stored later is announced to a channel this instance listens to again, and what
   * was stored earlier is read now. The read goes through the command connection, which may come back later than
   * the subscriber (Redis restarted): it is retried until it answers, or until a newer resync takes over.
   */
  private async resync(): Promise<void> {
    const run = ++this.resyncs;
    const channels = this.local.uuids().map((u) => this.store.channel(u));
    for (let attempt = 0; run === this.resyncs; attempt++) {
      try {
        if (channels.length > 0) await this.subscriber.subscribe(...channels);
        const replayed = await this.replayAll();
        if (channels.length > 0) this.logger.info({ waiting: channels.length, replayed }, 'subscriber back: stored outcomes re-read');
        // Redis may have come back empty: what it lost, PostgreSQL still has.
        await this.recheck(0);
        return;
      } catch (err) {
        if (attempt === 0) this.logger.warn({ err, waiting: channels.length }, 'could not re-read stored outcomes after a reconnect; retrying');
        await new Promise((r) => setTimeout(r, Math.min(2000, 200 * (attempt + 1))));
      }
    }
  }

  /** Returns how many waiting uuids had a stored outcome. */
  private async replayAll(): Promise<number> {
    let found = 0;
    for (const uuid of this.local.uuids()) {
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
      .filter((s) => !s.sent.has('result') && now - s.since >= olderThanMs && (s.checkedAt === undefined || now - s.checkedAt >= RECHECK_AGAIN_AFTER_MS));
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
    clearTimeout(s.unownedTimer);
    s.unownedTimer = undefined;
  }

  /**
   * The bounded wait on a uuid nobody owned when the socket connected is over. The owner is asked once more (the
   * order may have been reserved meanwhile without a result yet): the user's, it waits on; another's, 4403;
   * still nobody's, 4408. Redis not answering: 1011, and the page reconnects.
   */
  private async expireUnowned(s: WaitingSocket): Promise<void> {
    s.unownedTimer = undefined;
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

  /** Every interval: drop sockets that missed two pongs, ping the rest, renew the rest's slots in Redis. */
  private beat(): void {
    const alive: WaitingSocket[] = [];
    for (const s of this.local.all()) {
      if (s.missedPongs >= 2) {
        s.ws.terminate();
        continue;
      }
      s.missedPongs++;
      s.ws.ping();
      alive.push(s);
    }
    this.slots.refresh(alive.map((s) => ({ userId: s.userId, id: s.slotId }))).catch((err: unknown) => {
      this.logger.warn({ err, sockets: alive.length }, 'could not renew socket slots; the next beat will');
    });
  }
}
