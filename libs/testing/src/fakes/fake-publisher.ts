import type { ConfirmedPublisher, PublishMeta, StockBroadcast } from '@seckill/messaging';
import type { Public } from './public';

export interface Published {
  exchange: string;
  routingKey: string;
  body: unknown;
  meta: PublishMeta;
}

/**
 * A broker that confirms at once and remembers what was published. `failNext(err)` makes the next publish(es)
 * reject with `err` (a confirm timeout, a closed channel), as the real publisher would.
 */
export class FakePublisher implements Public<ConfirmedPublisher> {
  readonly published: Published[] = [];
  private failures: unknown[] = [];
  usable = true;

  failNext(err: unknown, times = 1): void {
    for (let i = 0; i < times; i++) this.failures.push(err);
  }

  async publish(exchange: string, routingKey: string, body: unknown, meta: PublishMeta = {}): Promise<void> {
    const failure = this.failures.shift();
    if (failure !== undefined) throw failure;
    this.published.push({ exchange, routingKey, body, meta });
  }

  publishBytes(exchange: string, routingKey: string, content: Buffer, meta: PublishMeta = {}): Promise<void> {
    return this.publish(exchange, routingKey, JSON.parse(content.toString()) as unknown, meta);
  }

  to(exchange: string, routingKey?: string): unknown[] {
    return this.published.filter((p) => p.exchange === exchange && (routingKey === undefined || p.routingKey === routingKey)).map((p) => p.body);
  }

  async declare(): Promise<void> {}

  async waitForConnect(): Promise<void> {}

  async close(): Promise<void> {}
}

/** Remembers every "a unit came back" broadcast. */
export class FakeStockBroadcast implements Public<StockBroadcast> {
  readonly sent: { itemId: number; reason: string; uuid?: string }[] = [];

  async unitsBack(itemId: number, reason: Parameters<StockBroadcast['unitsBack']>[1], uuid?: string): Promise<void> {
    this.sent.push({ itemId, reason, ...(uuid ? { uuid } : {}) });
  }
}
