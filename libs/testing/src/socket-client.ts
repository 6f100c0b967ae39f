import WebSocket from 'ws';

export interface Frame {
  type: string;
  uuid: string;
  status: string;
  orderNo?: string;
  reason?: string;
}

/** A test's WebSocket: records frames and the close, and lets the test wait for either (no sleeps). */
export class SocketClient {
  readonly frames: Frame[] = [];
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: (() => void)[] = [];
  private readonly ws: WebSocket;

  constructor(url: string, opts: { autoPong?: boolean } = {}) {
    this.ws = new WebSocket(url, { autoPong: opts.autoPong ?? true });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.closed = new Promise((resolve) => this.ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    this.ws.on('error', () => undefined);
    this.ws.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()) as Frame);
      for (const w of this.waiters.splice(0)) w();
    });
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** Resolves with the first frame matching `pred` (already received or still to come). */
  async frame(pred: (f: Frame) => boolean = () => true, timeoutMs = 20_000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.find(pred);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching frame within ${timeoutMs} ms (got ${JSON.stringify(this.frames)})`);
      await Promise.race([new Promise<void>((r) => this.waiters.push(r)), this.closed, new Promise((r) => setTimeout(r, left).unref())]);
      if (!this.isOpen && !this.frames.find(pred)) throw new Error(`socket closed before a matching frame (got ${JSON.stringify(this.frames)})`);
    }
  }

  close(): void {
    this.ws.close();
  }
}
