import { EventEmitter } from 'node:events';
import type { WebSocket } from 'ws';

/**
 * The server side of one shopper's socket, as a gateway sees it (`ws`'s WebSocket): readyState, send, close,
 * ping, terminate, and its events. Closing is as in `ws`: the state is CLOSING at once and 'close' follows
 * later (after the closing handshake), never inside the call. The peer's side: `pong()` answers a ping,
 * `peerClose()` is the browser going away.
 */
export class FakeWebSocket extends EventEmitter {
  readonly CONNECTING = 0;
  readonly OPEN = 1;
  readonly CLOSING = 2;
  readonly CLOSED = 3;
  readyState: 0 | 1 | 2 | 3 = 1;
  /** Every frame sent, as text. */
  readonly sent: string[] = [];
  /** The code of the first close(), if any. */
  closeCode?: number;
  pings = 0;
  terminated = false;

  /** The one place the fake is handed over as a `ws` WebSocket. */
  asWebSocket(): WebSocket {
    return this as unknown as WebSocket;
  }

  /** The frames sent, parsed. */
  frames(): unknown[] {
    return this.sent.map((s) => JSON.parse(s) as unknown);
  }

  /** As `ws`: an error before the socket is open; after it closed, the frame is dropped (ws hands the error to a callback). */
  send(data: string): void {
    if (this.readyState === this.CONNECTING) throw new Error('WebSocket is not open: readyState 0 (CONNECTING)');
    if (this.readyState === this.OPEN) this.sent.push(data);
  }

  close(code?: number, _reason?: string): void {
    if (this.readyState === this.CLOSING || this.readyState === this.CLOSED) return;
    this.closeCode = code;
    this.finish();
  }

  ping(): void {
    if (this.readyState === this.OPEN) this.pings++;
  }

  terminate(): void {
    if (this.readyState === this.CLOSED) return;
    this.terminated = true;
    this.finish();
  }

  pong(): void {
    this.emit('pong');
  }

  peerClose(): void {
    this.finish();
  }

  private finish(): void {
    if (this.readyState === this.CLOSED) return;
    this.readyState = this.CLOSING;
    queueMicrotask(() => {
      if (this.readyState === this.CLOSED) return;
      this.readyState = this.CLOSED;
      this.emit('close');
    });
  }
}
