/**
 * Redis key layout. An item's keys share a hash tag (`{good:N}`) so a future Redis Cluster keeps them in one
 * slot; the request hash is keyed by uuid alone because polling knows only the uuid. (The scripts that touch
 * both are single-node; see docs/architecture.md.)
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

  request(uuid: string): string {
    return `${this.prefix}req:${uuid}`;
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
