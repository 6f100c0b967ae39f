/**
 * A job run every `intervalMs`, never twice at once (a slow pass is not stacked on by the next tick). The
 * timer does not hold the process open; `run` must handle its own errors (a failed pass only waits for the next).
 */
export class Periodic<T> {
  private timer?: NodeJS.Timeout;
  private running?: Promise<T>;

  constructor(
    private readonly intervalMs: number,
    private readonly run: () => Promise<T>,
    private readonly idle: T,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.once(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One pass now; a pass already running is not joined (its caller gets `idle`). */
  async once(): Promise<T> {
    if (this.running) return this.idle;
    this.running = this.run();
    try {
      return await this.running;
    } finally {
      this.running = undefined;
    }
  }
}
