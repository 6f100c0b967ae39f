import { setTimeout as sleep } from 'node:timers/promises';
import type { RoomTicket } from '@seckill/contracts';
import type { OrderConnections, OutcomePoller, RawAnswer } from './fire';
import { now, type AgentCounts, type RequestRecord, type RoomRecord, type RoomVia, type Shopper } from './protocol';
import { decideRetry, parseRetryAfter, type RetryPolicy } from './retry';
import { openRoomSocket } from './room-socket';
import type { ShopperSocket } from './sockets';

/** What the room flow needs from the client process that holds the shoppers. */
export interface RoomHost {
  itemId(): number;
  isFinished(): boolean;
  readonly deadline: number;
  readonly retry: RetryPolicy;
  readonly pollIntervalMs: number;
  readonly connections: OrderConnections;
  readonly poller: OutcomePoller;
  readonly counts: AgentCounts;
  record(s: Shopper): RequestRecord;
  /** A request to order-api went on the wire (the peak rate counts every one). */
  apiSent(): void;
  /** Admitted (or no room): the shopper orders, with the token when there is one. */
  order(s: Shopper, admissionToken: string | undefined): void;
  /** The shopper has its final answer. */
  resolved(): void;
}

const SOCKET_ATTEMPTS = 3;

/**
 * The shoppers of one client process in the waiting room, as the shop page takes them through it: join over HTTP
 * (on the shopper's own connection, like its order), wait on the room socket for `room.admitted` or
 * `room.closed`, and poll `GET …/room` instead when that socket cannot be opened or drops. A refused join is
 * retried only when the refusal says "ask again" (503 TRY_AGAIN, 429) or it failed on the transport: joining
 * again keeps the place, so a retry never costs the shopper its turn.
 */
export class RoomShoppers {
  private readonly sockets = new Map<number, ShopperSocket>();
  private readonly settled = new Set<number>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly host: RoomHost) {}

  private get path(): string {
    return `/api/seckill/goods/${this.host.itemId()}/room`;
  }

  private roomOf(s: Shopper): RoomRecord {
    const rec = this.host.record(s);
    return (rec.room ??= { joinAttempts: 0, socket: 'none', positionFrames: 0, polls: 0 });
  }

  join(s: Shopper): void {
    const room = this.roomOf(s);
    room.joinAttempts++;
    const onSent = () => {
      this.host.apiSent();
      room.joinSentAt ??= now();
    };
    void this.host.connections.send(s, 'POST', this.path, undefined, onSent).then((a) => this.onJoinAnswer(s, a));
  }

  private onJoinAnswer(s: Shopper, a: RawAnswer): void {
    if (this.host.isFinished() || this.settled.has(s.index)) return;
    const room = this.roomOf(s);
    const body = 'error' in a ? undefined : parseJson<Partial<RoomTicket> & { code?: string }>(a.body);
    const retryAfterMs = 'error' in a ? undefined : parseRetryAfter(a.retryAfter, Date.now());
    const askAgain = 'error' in a || a.status === 429 || (a.status === 503 && body?.code === 'TRY_AGAIN');
    if (askAgain) {
      // The order's retry policy, applied to "ask again" answers of the join (the decision itself only knows 503s).
      const d = decideRetry({ status: 503, code: 'TRY_AGAIN', ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) }, room.joinAttempts, this.host.retry, Date.now(), this.host.deadline);
      if (d.retry) {
        this.later(() => this.join(s), d.delayMs);
        return;
      }
    }
    room.joinAnsweredAt = a.answeredAt;
    if ('error' in a) {
      room.joinError = a.error;
      return this.settle(s);
    }
    room.joinStatus = a.status;
    if (body?.code !== undefined) room.joinCode = body.code;
    if (a.status !== 200 || !body?.status) return this.settle(s);
    this.host.counts.joined++;
    room.joined = body.status;
    if (body.position !== undefined) room.position = body.position;
    if (body.etaSeconds !== undefined) room.etaSeconds = body.etaSeconds;
    this.onTicket(s, body, 'join');
  }

  /** A ticket from the join or a poll: admitted, closed, no room, or still waiting (then wait on the socket). */
  private onTicket(s: Shopper, t: Partial<RoomTicket>, via: RoomVia): void {
    switch (t.status) {
      case 'ADMITTED':
        return this.admitted(s, t.admissionToken, via);
      case 'OPEN':
        // No room on this item after all: order directly, as the page would.
        return this.admitted(s, undefined, via);
      case 'CLOSED':
        return this.closed(s, t.reason ?? '?', via);
      case 'WAITING':
      case undefined:
        if (via === 'join') void this.openSocket(s);
    }
  }

  private async openSocket(s: Shopper): Promise<void> {
    const room = this.roomOf(s);
    const url = `${s.notifier}/room/${this.host.itemId()}?token=${encodeURIComponent(s.token)}`;
    for (let attempt = 1; attempt <= SOCKET_ATTEMPTS; attempt++) {
      if (this.host.isFinished() || this.settled.has(s.index)) return;
      try {
        const socket = await openRoomSocket(url, {
          onPosition: () => void room.positionFrames++,
          onAdmitted: (token) => this.admitted(s, token, 'push'),
          onClosed: (reason) => this.closed(s, reason, 'push'),
          onDrop: (code) => {
            if (this.settled.has(s.index) || this.host.isFinished()) return;
            room.socket = 'dropped';
            room.socketCloseCode = code;
            void this.poll(s);
          },
        });
        if (this.settled.has(s.index) || this.host.isFinished()) return socket.close();
        this.sockets.set(s.index, socket);
        room.socket = 'open';
        return;
      } catch (err) {
        // 4404: the server does not have the shopper in the room; polling rejoins (joining keeps any place).
        if (/closed with 4404/.test(String(err))) break;
        await sleep(100 * attempt);
      }
    }
    room.socket = 'failed';
    void this.poll(s);
  }

  private async poll(s: Shopper): Promise<void> {
    const room = this.roomOf(s);
    while (!this.host.isFinished() && !this.settled.has(s.index)) {
      this.host.apiSent();
      room.polls++;
      const r = await this.host.poller.get<Partial<RoomTicket>>(s, this.path);
      if (this.host.isFinished() || this.settled.has(s.index)) return;
      if (r.status === 200 && r.body?.status && r.body.status !== 'WAITING') return this.onTicket(s, r.body, 'poll');
      await sleep(this.host.pollIntervalMs);
      if (r.status === 404 && !this.host.isFinished() && !this.settled.has(s.index)) {
        // Not in the room (any more): join again; the answer goes the usual way, and a WAITING one opens a socket.
        room.joinAttempts = 0;
        return this.join(s);
      }
    }
  }

  private admitted(s: Shopper, admissionToken: string | undefined, via: RoomVia): void {
    if (this.settled.has(s.index) || this.host.isFinished()) return;
    this.settled.add(s.index);
    const room = this.roomOf(s);
    room.admittedAt = now();
    room.via = via;
    this.host.counts.admitted++;
    this.dropSocket(s);
    this.host.order(s, admissionToken);
  }

  private closed(s: Shopper, reason: string, via: RoomVia): void {
    if (this.settled.has(s.index) || this.host.isFinished()) return;
    const room = this.roomOf(s);
    room.closed = { reason, at: now() };
    room.via = via;
    this.host.counts.closed++;
    this.settle(s);
  }

  /** The room's last word for this shopper, without an order: closed, or the join refused. */
  private settle(s: Shopper): void {
    if (this.settled.has(s.index)) return;
    this.settled.add(s.index);
    this.dropSocket(s);
    this.host.resolved();
  }

  private dropSocket(s: Shopper): void {
    this.sockets.get(s.index)?.close();
    this.sockets.delete(s.index);
  }

  private later(fn: () => void, ms: number): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.host.isFinished()) fn();
    }, ms);
    this.timers.add(t);
  }

  /** The run is over: no more retries, every room socket closed at once. */
  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const s of this.sockets.values()) s.terminate();
    this.sockets.clear();
  }
}

function parseJson<T>(body: Buffer): T | undefined {
  try {
    return JSON.parse(body.toString()) as T;
  } catch {
    return undefined;
  }
}
