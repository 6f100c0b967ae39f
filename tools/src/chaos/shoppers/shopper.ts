import type { OrderConnections } from '../../loadtest/fire';
import { now } from '../../loadtest/protocol';
import { openSocket, type ResultFrame, type ShopperSocket } from '../../loadtest/sockets';
import { NO_ANSWER, type Attempt, type ShopperRecord } from './records';
import { decideOrderRetry, isFinalClose, reconnectDelayMs } from './shopper-retry';

export interface ShopperIdentity {
  index: number;
  userId: number;
  token: string;
  requestId: string;
}

/** What the fleet gives every shopper, and what a shopper tells the fleet. */
export interface ShopperContext {
  itemId: number;
  apis: readonly string[];
  notifiers: readonly string[];
  orders: OrderConnections;
  /** Until when a shopper keeps asking again (moves once the fault has ended). */
  retryDeadline(): number;
  stopped(): boolean;
  changed(): void;
  /** An attempt went onto a connection to `api` (+1) or came back from it (-1). */
  inFlight(api: string, delta: 1 | -1): void;
}

/**
 * One shopper behaving like the shop page: it opens its WebSocket on its own requestId, posts the order, asks
 * again with the same requestId while the answer says "try again" or the instance is unreachable, and waits on
 * the socket for the outcome, reconnecting (to the other notifier, or the same one once it is back) whenever
 * the socket drops. It never polls: whether the outcome reaches the socket is one of the things measured.
 */
export class ChaosShopper {
  readonly record: ShopperRecord;
  private apiIndex: number;
  private notifierIndex: number;
  private socket?: ShopperSocket;
  private socketGone?: () => void;
  private readonly sleeps = new Set<() => void>();

  constructor(
    private readonly who: ShopperIdentity,
    private readonly ctx: ShopperContext,
  ) {
    this.record = { index: who.index, userId: who.userId, requestId: who.requestId, attempts: [], conflictingFrames: 0, socketOpens: 0, socketDrops: 0 };
    this.apiIndex = who.index % ctx.apis.length;
    this.notifierIndex = Math.floor(who.index / ctx.apis.length) % ctx.notifiers.length;
  }

  /** Finished: refused or gave up, or accepted with its outcome in (or a socket the server refused for good). */
  get done(): boolean {
    const r = this.record;
    if (r.end === 'refused' || r.end === 'gave-up') return true;
    return r.end === 'accepted' && (r.outcome !== undefined || r.socketRefusedCode !== undefined);
  }

  async click(): Promise<void> {
    this.record.clickedAt = now();
    this.ctx.changed();
    // The page waits for its socket before it posts, but not forever: an order must not hinge on the notifier.
    const firstOpen = new Promise<void>((resolve) => void this.keepSocket(resolve));
    await firstOpen;
    await this.order();
  }

  /** At the end of the run: no more retries or reconnects; sockets go without a closing handshake. */
  stop(): void {
    for (const wake of [...this.sleeps]) wake();
    this.socket?.terminate();
    this.socketGone?.();
  }

  private wantsSocket(): boolean {
    const r = this.record;
    return !this.ctx.stopped() && r.outcome === undefined && r.socketRefusedCode === undefined && r.end !== 'refused' && r.end !== 'gave-up';
  }

  /**
   * Holds a socket open until the outcome arrives or the order is refused. `opened` is called after the first
   * open, or after two failed tries (one per notifier when there are two), so the order goes out either way.
   */
  private async keepSocket(opened: () => void): Promise<void> {
    let failures = 0;
    while (this.wantsSocket()) {
      const notifier = this.ctx.notifiers[this.notifierIndex]!;
      const url = `${notifier}/${this.who.requestId}?token=${encodeURIComponent(this.who.token)}`;
      const gone = new Promise<void>((resolve) => (this.socketGone = resolve));
      // Captured now: the stored outcome may arrive in the same read as the upgrade, before this function resumes.
      const afterDrop = this.record.socketDrops > 0;
      try {
        const socket = await openSocket(url, { onResult: (f) => this.onFrame(f, afterDrop), onDrop: (code) => this.onDrop(code) });
        this.record.socketOpens++;
        failures = 0;
        if (!this.wantsSocket()) {
          socket.close();
          break;
        }
        this.socket = socket;
        opened();
        await gone;
      } catch {
        failures++;
        if (failures >= 2) opened();
      }
      if (!this.wantsSocket()) break;
      // Reconnect elsewhere: the other instance may be up while this one restarts.
      this.notifierIndex = (this.notifierIndex + 1) % this.ctx.notifiers.length;
      await this.sleep(reconnectDelayMs(Math.max(1, failures)));
    }
    opened();
  }

  private onFrame(f: ResultFrame, afterDrop: boolean): void {
    const r = this.record;
    if (r.outcome) {
      if (r.outcome.status !== f.status || r.outcome.orderNo !== f.orderNo || r.outcome.reason !== f.reason) r.conflictingFrames++;
      return;
    }
    r.outcome = { ...f, at: now(), via: afterDrop ? 'reconnect' : 'push' };
    // Its job is done: the page closes it.
    this.closeSocket();
    this.ctx.changed();
  }

  private closeSocket(): void {
    this.socket?.close();
    this.socket = undefined;
    this.socketGone?.();
  }

  private onDrop(code: number): void {
    this.socket = undefined;
    this.record.socketDrops++;
    if (isFinalClose(code)) this.record.socketRefusedCode = code;
    this.socketGone?.();
    this.ctx.changed();
  }

  private async order(): Promise<void> {
    const r = this.record;
    for (let retry = 1; ; retry++) {
      if (this.ctx.stopped()) return;
      const api = this.ctx.apis[this.apiIndex]!;
      const attempt: Attempt = { api };
      r.attempts.push(attempt);
      const a = await this.ctx.orders.post({ ...this.who, api, notifier: '', offsetMs: 0 }, this.ctx.itemId, () => {
        attempt.sentAt = now();
        this.ctx.inFlight(api, 1);
      });
      attempt.answeredAt = a.answeredAt;
      if (attempt.sentAt !== undefined) this.ctx.inFlight(api, -1);
      if (this.ctx.stopped() && a.status === undefined) {
        attempt.error = NO_ANSWER;
        return;
      }
      if (a.status !== undefined) attempt.status = a.status;
      if (a.code !== undefined) attempt.code = a.code;
      if (a.error !== undefined) attempt.error = a.error;
      if (a.retryAfterMs !== undefined) attempt.retryAfterMs = a.retryAfterMs;
      if (a.status === 202) {
        r.end = 'accepted';
        r.acceptedAt = a.answeredAt;
        if (a.uuid !== undefined) r.uuid = a.uuid;
        if (r.outcome) this.closeSocket();
        this.ctx.changed();
        return;
      }
      const d = decideOrderRetry(a, retry, Date.now(), this.ctx.retryDeadline());
      if (!d.retry) {
        r.end = d.gaveUp ? 'gave-up' : 'refused';
        // No outcome will come for an order that was not taken: the page stops waiting.
        this.closeSocket();
        this.ctx.changed();
        return;
      }
      if (d.nextApi) this.apiIndex = (this.apiIndex + 1) % this.ctx.apis.length;
      this.ctx.changed();
      await this.sleep(d.delayMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.ctx.stopped()) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleeps.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleeps.add(wake);
    });
  }
}
