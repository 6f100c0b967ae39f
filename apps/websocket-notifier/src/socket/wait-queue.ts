/**
 * Items whose waits are all equally long, each starting when it is added: they end in the order they were
 * added, so one timer (for the head) serves them all instead of a timer each — a notifier may hold 100,000 sockets on uuids nobody owns
 * yet. An item that no longer needs its deadline (its socket closed, its uuid owned) is not removed: `expire`
 * is told about it and ignores it, so it is held until its deadline at most.
 */
export class WaitQueue<T> {
  private items: T[] = [];
  /** When each item's wait started (ms), beside it: a number array costs less than a pair per item. */
  private starts: number[] = [];
  private head = 0;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly waitMs: number,
    private readonly expire: (item: T) => void,
  ) {}

  add(item: T): void {
    this.items.push(item);
    this.starts.push(Date.now());
    if (!this.timer) this.arm();
  }

  get size(): number {
    return this.items.length - this.head;
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    const started = this.starts[this.head];
    if (started === undefined) {
      this.items = [];
      this.starts = [];
      this.head = 0;
      this.timer = undefined;
      return;
    }
    this.timer = setTimeout(() => this.fire(), Math.max(0, started + this.waitMs - Date.now()));
    this.timer.unref();
  }

  private fire(): void {
    const now = Date.now();
    while (this.head < this.items.length && (this.starts[this.head] ?? Infinity) + this.waitMs <= now) {
      const item = this.items[this.head] as T;
      this.head++;
      this.expire(item);
    }
    // Drop the expired prefix once it is most of the array, so it does not grow for ever.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.starts = this.starts.slice(this.head);
      this.head = 0;
    }
    this.arm();
  }
}
