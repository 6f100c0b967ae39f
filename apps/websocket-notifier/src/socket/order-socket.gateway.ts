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
import { OutcomeStore } from '../outcomes/outcome-store';
import { frameKey, LocalSockets, type WaitingSocket } from './local-sockets';
import { REDIS_SUBSCRIBER } from './redis-subscriber.provider';

const UUID_PATH = /^\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/?$/i;

/**
 * `ws://HOST:8085/{uuid}?token=…`. Connect order matters: the socket is registered and its uuid's channel
 * subscribed BEFORE the stored outcome is read, so an outcome is either already stored (sent now) or will be
 * announced on the channel (sent then). Sends are de-duplicated per socket, since both can happen.
 */
@WebSocketGateway({ path: '/' })
export class OrderSocketGateway implements OnGatewayConnection, OnModuleInit, BeforeApplicationShutdown {
  private readonly local = new LocalSockets();
  private heartbeat?: NodeJS.Timeout;
  private reconnected = false;
  /** Bumped by every resync, so an older one still retrying gives way. */
  private resyncs = 0;

  constructor(
    private readonly tokens: TokenService,
    private readonly store: OutcomeStore,
    @Inject(REDIS_SUBSCRIBER) private readonly subscriber: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext('OrderSocket');
  }

  get connections(): number {
    return this.local.size;
  }

  onModuleInit(): void {
    this.subscriber.on('message', (channel: string, payload: string) => this.onAnnounced(channel, payload));
    // Announcements made while the subscriber was reconnecting are lost: re-read what every waiting uuid has.
    this.subscriber.on('ready', () => {
      if (this.reconnected) void this.resync();
      this.reconnected = true;
    });
    this.heartbeat = setInterval(() => this.beat(), this.config.NOTIFIER_PING_INTERVAL_MS);
    this.heartbeat.unref();
  }

  /**
   * Before the adapter terminates the sockets: a clean 1001 "going away" tells the page to reconnect (to
   * another instance if this one is not coming back) rather than report an error. Bounded to one second.
   */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.heartbeat);
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
    try {
      await this.accept(ws, req);
    } catch (err) {
      this.logger.warn({ err, url: req.url?.split('?')[0] }, 'socket could not be set up; closed with 1011');
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(SocketCloseCode.SERVER_ERROR, 'temporarily unavailable; reconnect');
    }
  }

  private async accept(ws: WebSocket, req: IncomingMessage): Promise<void> {
    const url = new URL(req.url ?? '/', 'ws://notifier');
    const uuid = UUID_PATH.exec(url.pathname)?.[1]?.toLowerCase();
    if (!uuid) return ws.close(SocketCloseCode.BAD_PATH, 'path must be /{uuid}');
    let userId: number;
    try {
      userId = this.tokens.verify(url.searchParams.get('token') ?? '').id;
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      return ws.close(SocketCloseCode.UNAUTHORIZED, 'invalid or missing token');
    }
    const owner = await this.store.owner(uuid);
    if (owner !== null && owner !== userId) return ws.close(SocketCloseCode.FORBIDDEN, 'not your order');
    if (ws.readyState !== ws.OPEN) return;

    const socket: WaitingSocket = { ws, uuid, userId, sent: new Set(), missedPongs: 0 };
    ws.on('pong', () => (socket.missedPongs = 0));
    // A socket-level failure (a reset mid-frame) ends this socket only; its 'close' follows and cleans up.
    ws.on('error', (err) => this.logger.debug({ err, uuid }, 'socket error'));
    metrics.wsConnections.inc();
    ws.on('close', () => {
      metrics.wsConnections.dec();
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
    for (const s of this.local.of(uuid)) this.deliver(s, announced.userId, [announced.frame]);
  }

  /** Readiness: the subscriber connection is up, so announcements reach this instance's sockets. */
  subscriberState(): { ready: boolean; detail?: string } {
    return this.subscriber.status === 'ready' ? { ready: true } : { ready: false, detail: `Redis subscriber ${this.subscriber.status}` };
  }

  private deliver(s: WaitingSocket, owner: number, frames: readonly OrderFrame[]): void {
    // The uuid turned out to be someone else's (it was unknown when this socket connected).
    if (owner !== s.userId) return s.ws.close(SocketCloseCode.FORBIDDEN, 'not your order');
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
        await this.replayAll();
        return;
      } catch (err) {
        if (attempt === 0) this.logger.warn({ err, waiting: channels.length }, 'could not re-read stored outcomes after a reconnect; retrying');
        await new Promise((r) => setTimeout(r, Math.min(2000, 200 * (attempt + 1))));
      }
    }
  }

  private async replayAll(): Promise<void> {
    for (const uuid of this.local.uuids()) {
      const stored = await this.store.read(uuid);
      if (stored) for (const s of this.local.of(uuid)) this.deliver(s, stored.userId, stored.frames);
    }
  }

  /** Every interval: drop sockets that missed two pongs, ping the rest. */
  private beat(): void {
    for (const s of this.local.all()) {
      if (s.missedPongs >= 2) {
        s.ws.terminate();
        continue;
      }
      s.missedPongs++;
      s.ws.ping();
    }
  }
}
