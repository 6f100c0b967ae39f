export interface BatchPumpOptions {
  /** Most items handed to one run. */
  maxBatch: number;
  /** Most runs in progress at once. */
  maxInFlight: number;
  /**
   * Defers the first cut after an idle spell. amqplib dispatches every message of one socket read
   * synchronously: waiting one turn of the event loop lets all of them join the first batch.
   */
  defer?: (fn: () => void) => void;
}

/** Runs one batch; must settle every item itself and should not reject (a rejection goes to `onError`). */
export type BatchRun<T> = (batch: T[]) => Promise<void>;

/**
 * Cuts a stream of items into batches and keeps up to `maxInFlight` of them running. A batch holds what
 * arrived while the running ones were busy (up to `maxBatch`), so batches stay small under a trickle and grow
 * by themselves under a flood. Batches may finish in any order: the caller settles items per item, never
 * "everything up to here". No I/O here, so the scheduling is unit-tested on its own.
 */
export class BatchPump<T> {
  private buffer: T[] = [];
  private running = 0;
  private scheduled = false;
  private idleWaiters: (() => void)[] = [];
  private readonly defer: (fn: () => void) => void;

  constructor(
    private readonly options: BatchPumpOptions,
    private readonly run: BatchRun<T>,
    private readonly onError: (err: unknown, batch: readonly T[]) => void,
  ) {
    for (const key of ['maxBatch', 'maxInFlight'] as const) {
      if (!Number.isInteger(options[key]) || options[key] < 1) throw new RangeError(`${key} must be a positive integer, got ${options[key]}`);
    }
    this.defer = options.defer ?? setImmediate;
  }

  /** Batches in progress. */
  get inFlight(): number {
    return this.running;
  }

  /** Items waiting for a free slot. */
  get waiting(): number {
    return this.buffer.length;
  }

  push(item: T): void {
    this.buffer.push(item);
    if (this.scheduled || this.running >= this.options.maxInFlight) return;
    this.scheduled = true;
    this.defer(() => {
      this.scheduled = false;
      this.dispatch();
    });
  }

  /** Resolves when nothing is waiting or running (graceful shutdown waits for every batch in flight). */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private isIdle(): boolean {
    return this.running === 0 && this.buffer.length === 0;
  }

  private dispatch(): void {
    while (this.buffer.length > 0 && this.running < this.options.maxInFlight) {
      const batch = this.buffer.splice(0, this.options.maxBatch);
      this.running++;
      void this.runOne(batch);
    }
    if (this.isIdle()) for (const w of this.idleWaiters.splice(0)) w();
  }

  private async runOne(batch: T[]): Promise<void> {
    try {
      await this.run(batch);
    } catch (err) {
      this.onError(err, batch);
    } finally {
      this.running--;
      // What piled up meanwhile starts at once: under a flood the buffer is already full, and deferring
      // would only leave the slot empty for a turn.
      this.dispatch();
    }
  }
}
