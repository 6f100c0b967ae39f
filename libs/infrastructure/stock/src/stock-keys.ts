/**
 * Redis key layout, the same on one node and on a Redis Cluster. Every key a script touches carries the item's
 * hash tag (`{good:N}`), so each script runs on one slot: the counter, the buyers, the publishing index, the fence
 * and the request hashes of the item's orders. What is asked by uuid alone (polling, the notifier's owner check)
 * goes through `requestItem(uuid)`, a small pointer to the item, in a slot of its own. Keys read or written
 * outside scripts (the set of held items, outcomes, pointers) may live anywhere. See docs/architecture.md.
 */
export class StockKeys {
  constructor(readonly prefix: string) {}

  stock(itemId: number): string {
    return `${this.prefix}{good:${itemId}}:stock`;
  }

  buyers(itemId: number): string {
    return `${this.prefix}{good:${itemId}}:buyers`;
  }

  /** Reservations still waiting for their publish confirm, scored by when they were made (ms). */
  publishing(itemId: number): string {
    return `${this.prefix}{good:${itemId}}:publishing`;
  }

  /** Present while the item is held after Redis lost its state; the value is when the hold began (ms). */
  fence(itemId: number): string {
    return `${this.prefix}{good:${itemId}}:fence`;
  }

  /** The ids of the items held now. */
  fences(): string {
    return `${this.prefix}fences`;
  }

  /** The request hash of one order request (state, userId, goodId), in its item's slot. */
  request(itemId: number, uuid: string): string {
    return `${this.prefix}{good:${itemId}}:req:${uuid}`;
  }

  /** `userId:itemId` of a request, for what knows only the uuid; written (NX) before the reservation. */
  requestItem(uuid: string): string {
    return `${this.prefix}reqitem:${uuid}`;
  }

  /** The outcome the notifier stored for a request (`result`, `status`, `userId`): also read when polling. */
  outcome(uuid: string): string {
    return `${this.prefix}notify:${uuid}`;
  }

  /** Pattern matching every key this prefix owns (tests clean up with it). */
  all(): string {
    return `${this.prefix}*`;
  }
}
