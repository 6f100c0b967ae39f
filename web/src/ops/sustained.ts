/**
 * Remembers since when a condition has held, per key, so that an alarm fires only for a state that lasts:
 * the numbers the console reads are sampled (RabbitMQ's every 5 s) and briefly wrong by nature — Redis runs
 * ahead of PostgreSQL while orders are in flight, a queue shows no consumer for a few seconds after an app
 * (re)connects.
 */
export class Sustained<K> {
  private readonly since = new Map<K, number>();

  constructor(private readonly forMs: number) {}

  /** True once `condition` has held for `forMs` without a break, as seen by this page. */
  held(key: K, condition: boolean, now = Date.now()): boolean {
    if (!condition) {
      this.since.delete(key);
      return false;
    }
    const since = this.since.get(key) ?? now;
    this.since.set(key, since);
    return now - since >= this.forMs;
  }

  clear(): void {
    this.since.clear();
  }
}
