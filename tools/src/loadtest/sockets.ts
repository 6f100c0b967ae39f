import WebSocket from 'ws';

/** What a shopper's socket reports: the first order.result frame, later frames, and a close it did not ask for. */
export interface SocketHandlers {
  onResult(frame: ResultFrame): void;
  onDrop(code: number): void;
}

export interface ResultFrame {
  status: string;
  orderNo?: string;
  reason?: string;
}

/**
 * One shopper's WebSocket on `${notifier}/${requestId}`, opened before the order is posted (the contract lets a
 * page wait on its own requestId). Resolves once open; rejects if it fails or is closed before that.
 */
export function openSocket(url: string, handlers: SocketHandlers): Promise<ShopperSocket> {
  return openFrameSocket(url, handlers.onDrop, (frame) => {
    // order.status frames (PAID, TIMEOUT…) come minutes later, after the payment window; not part of a sale.
    if (frame['type'] === 'order.result' && typeof frame['status'] === 'string') {
      const { orderNo, reason } = frame;
      handlers.onResult({ status: frame['status'], ...(typeof orderNo === 'string' && orderNo ? { orderNo } : {}), ...(typeof reason === 'string' && reason ? { reason } : {}) });
    }
  });
}

/**
 * A shopper's WebSocket (an order's or a waiting room's): resolves once open; rejects if it fails or is closed
 * before that. Each JSON frame goes to `onFrame`, a close the shopper did not ask for to `onDrop`.
 */
export function openFrameSocket(url: string, onDrop: (code: number) => void, onFrame: (frame: Record<string, unknown>) => void): Promise<ShopperSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: 30_000 });
    const s = new ShopperSocket(ws);
    let opened = false;
    ws.once('open', () => {
      opened = true;
      resolve(s);
    });
    ws.on('error', (err) => {
      if (!opened) reject(err);
    });
    ws.on('close', (code) => {
      if (!opened) return reject(new Error(`closed with ${code} before it opened`));
      if (!s.closing) onDrop(code);
    });
    ws.on('message', (data) => {
      let frame: unknown;
      try {
        frame = JSON.parse(data.toString());
      } catch {
        return;
      }
      if (typeof frame === 'object' && frame !== null) onFrame(frame as Record<string, unknown>);
    });
  });
}

export class ShopperSocket {
  closing = false;
  constructor(private readonly ws: WebSocket) {}

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** A close we asked for is not a drop. */
  close(): void {
    this.closing = true;
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(1000);
  }

  /** At the very end: no closing handshake, the process is about to exit. */
  terminate(): void {
    this.closing = true;
    this.ws.terminate();
  }
}

/** Runs `fn` over `items` with at most `concurrency` in flight: connects in waves the listen backlog can take. */
export async function bounded<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
}
