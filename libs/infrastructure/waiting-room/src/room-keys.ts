import { StockKeys } from '@seckill/stock';

/**
 * Redis keys of one item's waiting room. Every key carries the item's hash tag (`{good:N}`), the same as its stock
 * counter, so each room script — which reads the stock to close the room on sell-out and to size admission —
 * runs on one slot, on one node or a Redis Cluster.
 */
export class RoomKeys {
  private readonly stockKeys: StockKeys;

  constructor(readonly prefix: string) {
    this.stockKeys = new StockKeys(prefix);
  }

  /** Hash: settings (enabled, rate, opensMs, startMs, endMs) and state (lastMs, carry, seq, admitted, closed). */
  room(itemId: number): string {
    return `${this.prefix}{good:${itemId}}:room`;
  }

  /** Sorted set: user id → place (a random number in [0, 1) for the pre-queue, 1 + arrival number after). */
  queue(itemId: number): string {
    return `${this.prefix}{good:${itemId}}:room:queue`;
  }

  /** Hash: user id → `token|expiresAtMs|uuid of the order that used it (empty while unused)`. */
  tickets(itemId: number): string {
    return `${this.prefix}{good:${itemId}}:room:tickets`;
  }

  /** Sorted set: user id → expiresAtMs, for admissions not used yet (what admission counts against the stock). */
  unused(itemId: number): string {
    return `${this.prefix}{good:${itemId}}:room:unused`;
  }

  /** The admitter's lease on the room: which process admits, until when. */
  lease(itemId: number): string {
    return `${this.prefix}{good:${itemId}}:room:lease`;
  }

  /** The item's stock counter (the stock library's key). */
  stock(itemId: number): string {
    return this.stockKeys.stock(itemId);
  }

  /** The pub/sub channel on which admissions and closings are announced to the notifiers. */
  events(): string {
    return `${this.prefix}room:events`;
  }
}
