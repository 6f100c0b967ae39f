/**
 * At most `concurrency` tasks run at once and at most `queueLimit` more wait for a slot; a task beyond that is
 * refused at once (tryRun returns undefined) rather than queued without end. A counter and a FIFO of waiters:
 * p-limit has no bound on its queue and is not a dependency of this project, so this is the few lines it would
 * have saved.
 */
export class BoundedPool {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly concurrency: number,
    private readonly queueLimit: number,
  ) {}

  get running(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** True when tryRun would refuse a task now. */
  get full(): boolean {
    return this.active >= this.concurrency && this.waiting.length >= this.queueLimit;
  }

  /** Runs `task` when a slot is free; undefined (and `task` never called) when every slot and queue place is taken. */
  tryRun<T>(task: () => Promise<T>): Promise<T> | undefined {
    if (this.active < this.concurrency) {
      this.active += 1;
      return this.runHolding(task);
    }
    if (this.waiting.length >= this.queueLimit) return undefined;
    return new Promise<void>((resolve) => this.waiting.push(resolve)).then(() => this.runHolding(task));
  }

  /** Runs `task` in a slot already counted; the slot then passes straight to the next waiter (no overtaking). */
  private async runHolding<T>(task: () => Promise<T>): Promise<T> {
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active -= 1;
    }
  }
}
