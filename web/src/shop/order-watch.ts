import { ApiError } from '../web-common/http.js';
import { shopApi } from './shop-api.js';
import { CLOSE_BAD_PATH, CLOSE_FORBIDDEN, CLOSE_UNAUTHORIZED, parseFrame, reconnectDelayMs } from './socket-terms.js';
import type { LaterStatus, Outcome } from './types.js';

/** How the outcome reached the page (exposed as `data-via` on the outcome panel). */
export type Via = 'push' | 'poll';

export interface WatchListener {
  result(outcome: Outcome, via: Via): void;
  later(status: LaterStatus): void;
  /** The notifier or order-api refused the token (4401, 4403, 401): only logging in again helps. */
  authLost(): void;
  /** The socket is open again after a drop: statuses pushed in between may have been missed. */
  resumed(): void;
}

export type OpenResult = 'open' | 'unavailable' | 'auth';


/** While the socket is down, the result is polled this often (the contract's fallback). */
const POLL_FALLBACK_MS = 2000;
/** While the socket is open, a slow poll still runs: a push lost anywhere must not leave a shopper waiting forever. */
const POLL_SAFETY_MS = 10_000;
/** Consecutive failed reconnects after which the socket is given up (polling still finds the result). */
const RECONNECT_GIVE_UP = 12;
/** 404s in a row after the order was accepted: the request is gone (abandoned), not merely slow. */
const NOT_FOUND_GIVE_UP = 5;

/**
 * Follows one order request: a WebSocket on `/{uuid}` for the pushed outcome and later statuses, reconnected
 * with a bounded backoff when it drops, and polling of GET /api/seckill/orders/{uuid} whenever the socket is
 * not open. Delivers the outcome exactly once, whichever path brings it first.
 */
export class OrderWatch {
  private socket: WebSocket | null = null;
  private outcome: Outcome | null = null;
  private laterStatus: LaterStatus | null = null;
  private finished = false;
  private isAccepted = false;
  private everOpened = false;
  private socketGivenUp = false;
  private failedReconnects = 0;
  private notFound = 0;
  private reconnectTimer: number | undefined;
  private pollTimer: number | undefined;

  constructor(
    private readonly socketBase: string,
    readonly uuid: string,
    private readonly token: string,
    private readonly listener: WatchListener,
  ) {}

  get hasOutcome(): boolean {
    return this.outcome !== null;
  }

  /**
   * Opens the socket; resolves once it is open, or as soon as it is clear that it will not open in time
   * (refused, closed, or `timeoutMs` passed: the order can still go ahead, polling covers it).
   */
  open(timeoutMs: number): Promise<OpenResult> {
    return new Promise((resolve) => {
      let settled = false;
      const settle = (result: OpenResult) => {
        if (settled) return;
        settled = true;
        window.clearTimeout(timer);
        resolve(result);
      };
      const timer = window.setTimeout(() => settle('unavailable'), timeoutMs);
      this.connect(settle);
    });
  }

  /** The order request was accepted (202): from now on the result can be polled. */
  accepted(): void {
    this.isAccepted = true;
    this.schedulePoll();
  }

  /** Stops everything (a final status arrived, the shopper logged out or buys again). */
  close(): void {
    if (this.finished) return;
    this.finished = true;
    window.clearTimeout(this.reconnectTimer);
    window.clearTimeout(this.pollTimer);
    const socket = this.socket;
    this.socket = null;
    if (socket && socket.readyState <= WebSocket.OPEN) socket.close(1000, 'done');
  }

  private connect(onFirstAttempt?: (r: OpenResult) => void): void {
    if (this.finished) return;
    let ws: WebSocket;
    try {
      ws = new WebSocket(`${this.socketBase}/${encodeURIComponent(this.uuid)}?token=${encodeURIComponent(this.token)}`);
    } catch {
      // A malformed notifier URL: the socket can never work, polling must do.
      this.socketGivenUp = true;
      onFirstAttempt?.('unavailable');
      this.schedulePoll();
      return;
    }
    this.socket = ws;
    ws.onopen = () => {
      if (this.socket !== ws) return;
      const resumed = this.everOpened;
      this.everOpened = true;
      this.failedReconnects = 0;
      onFirstAttempt?.('open');
      if (resumed) this.listener.resumed();
      this.schedulePoll();
    };
    ws.onmessage = (event: MessageEvent) => {
      if (this.socket === ws) this.onFrame(event.data);
    };
    ws.onclose = (event: CloseEvent) => {
      if (this.socket !== ws) return;
      this.socket = null;
      if (this.finished) return;
      if (event.code === CLOSE_UNAUTHORIZED || event.code === CLOSE_FORBIDDEN) {
        onFirstAttempt?.('auth');
        this.close();
        this.listener.authLost();
        return;
      }
      onFirstAttempt?.('unavailable');
      if (event.code === CLOSE_BAD_PATH) this.socketGivenUp = true;
      this.scheduleReconnect();
      this.schedulePoll();
    };
  }

  private scheduleReconnect(): void {
    if (this.finished || this.socketGivenUp) return;
    if (this.failedReconnects >= RECONNECT_GIVE_UP) {
      this.socketGivenUp = true;
      return;
    }
    const delay = reconnectDelayMs(this.failedReconnects);
    this.failedReconnects += 1;
    window.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = window.setTimeout(() => this.connect(), delay);
  }

  private schedulePoll(): void {
    window.clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
    if (this.finished || !this.isAccepted || this.outcome) return;
    const open = this.socket?.readyState === WebSocket.OPEN;
    this.pollTimer = window.setTimeout(() => void this.poll(), open ? POLL_SAFETY_MS : POLL_FALLBACK_MS);
  }

  private async poll(): Promise<void> {
    if (this.finished || this.outcome) return;
    try {
      const r = await shopApi.orderResult(this.token, this.uuid);
      this.notFound = 0;
      if (r.status === 'SUCCESS' && r.orderNo) this.deliver({ status: 'SUCCESS', orderNo: r.orderNo }, 'poll');
      else if (r.status === 'FAIL') this.deliver({ status: 'FAIL', reason: r.reason ?? 'INTERNAL' }, 'poll');
    } catch (error) {
      if (this.finished) return;
      if (error instanceof ApiError && error.status === 401) {
        this.close();
        this.listener.authLost();
        return;
      }
      if (error instanceof ApiError && error.code === 'REQUEST_NOT_FOUND' && ++this.notFound >= NOT_FOUND_GIVE_UP) {
        this.deliver({ status: 'FAIL', reason: 'INTERNAL' }, 'poll');
        return;
      }
      // Anything else (network, 5xx) is transient: the next poll tries again.
    }
    this.schedulePoll();
  }

  private onFrame(data: unknown): void {
    const frame = parseFrame(data);
    if (!frame) return;
    if (typeof frame['uuid'] === 'string' && frame['uuid'] !== this.uuid) return;
    if (frame['type'] === 'order.result') {
      if (frame['status'] === 'SUCCESS' && typeof frame['orderNo'] === 'string') this.deliver({ status: 'SUCCESS', orderNo: frame['orderNo'] }, 'push');
      else if (frame['status'] === 'FAIL') this.deliver({ status: 'FAIL', reason: typeof frame['reason'] === 'string' ? frame['reason'] : 'INTERNAL' }, 'push');
    } else if (frame['type'] === 'order.status') {
      const status = frame['status'];
      if (status === 'PAID' || status === 'CANCELLED' || status === 'TIMEOUT') this.deliverLater(status);
    }
  }

  private deliver(outcome: Outcome, via: Via): void {
    if (this.outcome || this.finished) return;
    this.outcome = outcome;
    window.clearTimeout(this.pollTimer);
    this.listener.result(outcome, via);
    // A failed request has nothing more to say; a successful one still gets its PAID/CANCELLED/TIMEOUT.
    if (outcome.status === 'FAIL') this.close();
  }

  private deliverLater(status: LaterStatus): void {
    if (this.laterStatus === status || this.finished) return;
    this.laterStatus = status;
    this.listener.later(status);
    // All three are final for this order.
    this.close();
  }
}
