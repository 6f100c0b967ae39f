/**
 * Per-user request budget per one-second window, per instance. A fixed window is enough here: its job is to
 * stop one client from hammering, not to shape traffic precisely, and it costs one Map lookup.
 */
export class RateLimiter {
  private windowStart = 0;
  private counts = new Map<number, number>();

  constructor(
    private readonly perSecond: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** True when the request is within budget. */
  take(userId: number): boolean {
    const t = this.now();
    if (t - this.windowStart >= 1000) {
      this.windowStart = t;
      this.counts = new Map();
    }
    const n = (this.counts.get(userId) ?? 0) + 1;
    this.counts.set(userId, n);
    return n <= this.perSecond;
  }
}
