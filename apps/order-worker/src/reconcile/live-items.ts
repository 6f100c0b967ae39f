import { Injectable } from '@nestjs/common';
import { StockSync } from '@seckill/order-lifecycle';

const FRESH_MS = 5000;

/**
 * The sale items on sale now or soon, as last read from PostgreSQL. The sweeper and the fence lifter must keep
 * working while PostgreSQL is away (Redis-side repairs need no PostgreSQL), so a failed read serves the last list.
 */
@Injectable()
export class LiveItems {
  private ids: number[] = [];
  private readAt = 0;
  private reading?: Promise<number[]>;

  constructor(private readonly sync: StockSync) {}

  async get(): Promise<number[]> {
    if (Date.now() - this.readAt < FRESH_MS) return this.ids;
    this.reading ??= this.sync
      .liveItems()
      .then((ids) => {
        this.ids = ids;
        this.readAt = Date.now();
        return ids;
      })
      .catch(() => this.ids)
      .finally(() => (this.reading = undefined));
    return this.reading;
  }
}
