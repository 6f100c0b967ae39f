import type { RoomTicket } from '@seckill/contracts';
import { ApiError } from '../web-common/http.js';
import type { Via } from './order-watch.js';
import { shopApi } from './shop-api.js';
import { CLOSE_BAD_PATH, CLOSE_FORBIDDEN, CLOSE_NOT_IN_ROOM, CLOSE_UNAUTHORIZED, parseFrame, reconnectDelayMs } from './socket-terms.js';

export interface RoomListener {
  /** The shopper's place (pushed frames are turned into the ticket shape GET …/room answers). */
  update(ticket: RoomTicket, via: Via): void;
  /** order-api does not know the shopper in this room (never joined, or the admission lapsed unused). */
  notInRoom(): void;
  /** The notifier or order-api refused the token: only logging in again helps. */
  authLost(): void;
}


/** While the socket is down, the place is polled this often. */
const POLL_FALLBACK_MS = 3000;
/**
 * The notifier pushes the place every ~2 s while the shopper waits. An open socket that has said nothing for
 * this long may have lost a frame (the admission, worst of all): one poll then, instead of polling all along
 * (a waiting room exists to spare the API exactly that).
 */
const QUIET_MS = 8000;

/**
 * Follows the shopper's place in one item's waiting room: a WebSocket on `/room/{seckillGoodId}` (reconnected
 * with a jittered backoff when it drops, for as long as the shopper waits) and GET …/room whenever the socket is
 * down or has gone quiet. Stops by itself once the wait is over (admitted, closed, no room any more).
 */
export class RoomWatch {
  private socket: WebSocket | null = null;
  private finished = false;
  private socketGivenUp = false;
  private failedReconnects = 0;
  private reconnectTimer: number | undefined;
  private pollTimer: number | undefined;
  private polling = false;

  constructor(
    private readonly socketBase: string,
    readonly itemId: number,
    private readonly token: string,
    private readonly listener: RoomListener,
  ) {}

  start(): void {
    this.connect();
    this.schedulePoll();
  }

  close(): void {
    if (this.finished) return;
    this.finished = true;
    window.clearTimeout(this.reconnectTimer);
    window.clearTimeout(this.pollTimer);
    const socket = this.socket;
    this.socket = null;
    if (socket && socket.readyState <= WebSocket.OPEN) socket.close(1000, 'done');
  }

  private get socketOpen(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  private connect(): void {
    if (this.finished) return;
    let ws: WebSocket;
    try {
      ws = new WebSocket(`${this.socketBase}/room/${this.itemId}?token=${encodeURIComponent(this.token)}`);
    } catch {
      // A malformed notifier URL: the socket can never work, polling must do.
      this.socketGivenUp = true;
      return;
    }
    this.socket = ws;
    ws.onopen = () => {
      if (this.socket !== ws) return;
      this.failedReconnects = 0;
      this.schedulePoll();
    };
    ws.onmessage = (event: MessageEvent) => {
      if (this.socket !== ws) return;
      this.onFrame(event.data);
      this.schedulePoll();
    };
    ws.onclose = (event: CloseEvent) => {
      if (this.socket !== ws) return;
      this.socket = null;
      if (this.finished) return;
      if (event.code === CLOSE_UNAUTHORIZED || event.code === CLOSE_FORBIDDEN) {
        this.close();
        this.listener.authLost();
        return;
      }
      if (event.code === CLOSE_NOT_IN_ROOM) {
        // No place known to the notifier, or no room any more: HTTP has the answer (a 404 there ends the wait).
        // The socket is not tried again; polling follows the place from here.
        this.socketGivenUp = true;
        window.clearTimeout(this.pollTimer);
        void this.poll();
        return;
      }
      if (event.code === CLOSE_BAD_PATH) this.socketGivenUp = true;
      this.scheduleReconnect();
      this.schedulePoll();
    };
  }

  private scheduleReconnect(): void {
    if (this.finished || this.socketGivenUp) return;
    const delay = reconnectDelayMs(this.failedReconnects);
    this.failedReconnects = Math.min(this.failedReconnects + 1, 16);
    window.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = window.setTimeout(() => this.connect(), delay);
  }

  /** (Re)arms the one poll timer: soon while the socket is down, after a quiet spell while it is open. */
  private schedulePoll(): void {
    window.clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
    if (this.finished) return;
    this.pollTimer = window.setTimeout(() => void this.poll(), this.socketOpen ? QUIET_MS : POLL_FALLBACK_MS);
  }

  private async poll(): Promise<void> {
    if (this.finished || this.polling) return;
    this.polling = true;
    try {
      const ticket = await shopApi.roomTicket(this.token, this.itemId);
      if (!this.finished) this.deliver(ticket, 'poll');
    } catch (error) {
      if (this.finished) return;
      if (error instanceof ApiError && error.status === 401) {
        this.close();
        this.listener.authLost();
        return;
      }
      if (error instanceof ApiError && error.code === 'NOT_IN_ROOM') {
        this.close();
        this.listener.notInRoom();
        return;
      }
      // Anything else (network, 5xx, 429) is transient: the next poll tries again.
    } finally {
      this.polling = false;
    }
    this.schedulePoll();
  }

  private onFrame(data: unknown): void {
    const frame = parseFrame(data);
    if (!frame) return;
    if (frame['seckillGoodId'] !== undefined && frame['seckillGoodId'] !== this.itemId) return;
    const seckillGoodId = this.itemId;
    const num = (key: string) => (typeof frame[key] === 'number' ? (frame[key] as number) : undefined);
    if (frame['type'] === 'room.position') {
      const position = num('position');
      if (position === undefined) return;
      this.deliver({ seckillGoodId, status: 'WAITING', position, ahead: num('ahead') ?? position - 1, etaSeconds: num('etaSeconds') ?? 0 }, 'push');
    } else if (frame['type'] === 'room.admitted') {
      const { admissionToken, expiresAt } = frame;
      if (typeof admissionToken !== 'string' || typeof expiresAt !== 'string') return;
      this.deliver({ seckillGoodId, status: 'ADMITTED', admissionToken, expiresAt }, 'push');
    } else if (frame['type'] === 'room.closed') {
      this.deliver({ seckillGoodId, status: 'CLOSED', reason: frame['reason'] === 'ENDED' ? 'ENDED' : 'SOLD_OUT' }, 'push');
    }
  }

  private deliver(ticket: RoomTicket, via: Via): void {
    if (this.finished) return;
    // Only WAITING goes on: admitted, closed or a room switched off (OPEN) ends the wait.
    if (ticket.status !== 'WAITING') this.close();
    this.listener.update(ticket, via);
  }
}
