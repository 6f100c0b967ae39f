/**
 * Redis key layout. An item's keys share a hash tag (`{good:N}`) so a future Redis Cluster keeps them in one
 * slot; the request hash is keyed by uuid alone because polling knows only the uuid. (The scripts that touch
 * both are single-node; see docs/architecture.md.)
 */
export class StockKeys {
  constructor(readonly prefix: string) {}

  stock(goodId: number): string {
    return `${this.prefix}{good:${goodId}}:stock`;
  }

  buyers(goodId: number): string {
    return `${this.prefix}{good:${goodId}}:buyers`;
  }

  /** Reservations still waiting for their publish confirm, scored by when they were made (ms). */
  publishing(goodId: number): string {
    return `${this.prefix}{good:${goodId}}:publishing`;
  }

  /** Present while the item is held after Redis lost its state; the value is when the hold began (ms). */
  fence(goodId: number): string {
    return `${this.prefix}{good:${goodId}}:fence`;
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
