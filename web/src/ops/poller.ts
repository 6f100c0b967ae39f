/**
 * Calls `tick` every `intervalMs`, measured from the start of one call to the start of the next, never two at
 * once: a slow answer delays the next poll instead of piling requests onto a server that is already busy.
 */
export class Poller {
  private timer: number | undefined;
  private running = false;
  private inFlight = false;
  /** Bumped on every stop, so a call that was in flight cannot schedule another after a stop/start. */
  private generation = 0;

  constructor(
    private readonly tick: () => Promise<void>,
    private readonly intervalMs: number,
  ) {}

  get isRunning(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.run();
  }

  stop(): void {
    this.running = false;
    this.generation++;
    window.clearTimeout(this.timer);
  }

  /** Polls at once (after an action that changes what the page shows); a call in flight will answer anyway. */
  now(): void {
    if (!this.running || this.inFlight) return;
    window.clearTimeout(this.timer);
    void this.run();
  }

  private async run(): Promise<void> {
    const generation = this.generation;
    const started = performance.now();
    this.inFlight = true;
    try {
      await this.tick();
    } catch (error) {
      // tick reports its own failures; this only keeps the loop alive whatever happens.
      console.error(error);
    } finally {
      this.inFlight = false;
    }
    if (!this.running || generation !== this.generation) return;
    const wait = Math.max(0, this.intervalMs - (performance.now() - started));
    this.timer = window.setTimeout(() => void this.run(), wait);
  }
}
