/**
 * Redis key layout. The counter and the buyers of one item share a hash tag so that a future Redis Cluster
 * keeps them in one slot; the request hash is keyed by uuid alone because polling knows only the uuid.
 * (The scripts that touch both are single-node; see docs/architecture.md.)
 */
export class StockKeys {
  constructor(private readonly prefix: string) {}

  stock(goodId: number): string {
    return `${this.prefix}{good:${goodId}}:stock`;
  }

  buyers(goodId: number): string {
    return `${this.prefix}{good:${goodId}}:buyers`;
  }

  request(uuid: string): string {
    return `${this.prefix}req:${uuid}`;
  }

  /** Pattern matching every key this prefix owns (tests clean up with it). */
  all(): string {
    return `${this.prefix}*`;
  }
}
