import type { ChannelModel, Channel } from 'amqplib';
import { parseOrderEvents, parseStockBack, type OrderEventMessage, type OrderResultMessage, type OrderStatusMessage, type StockBackMessage } from '@seckill/contracts';
import { connectAmqp, Exchange, declareTopology } from '@seckill/messaging';

/**
 * Listens to every outcome on the result exchange of a test vhost (its own exclusive queue, bound before
 * any order is placed), so a test waits for the outcomes themselves instead of sleeping or polling.
 */
export class ResultCollector {
  /** First outcome seen per uuid. */
  readonly results = new Map<string, OrderResultMessage>();
  /** When each first outcome arrived (performance.now()), for throughput figures. */
  readonly arrivedAt = new Map<string, number>();
  /** Outcomes seen more than once (replays after redelivery) that disagreed with the first. */
  readonly conflicts: { first: OrderResultMessage; later: OrderResultMessage }[] = [];
  /** Events seen, repeats included (a batch of outcomes counts one per uuid). */
  deliveries = 0;
  /** Later status changes (PAID, CANCELLED, TIMEOUT) by uuid, in arrival order. */
  readonly statuses = new Map<string, OrderStatusMessage[]>();
  /** Every "stock back" broadcast seen on the fanout exchange. */
  readonly stockBacks: StockBackMessage[] = [];
  private waiters: { check: () => boolean; resolve: () => void }[] = [];
  private conn?: ChannelModel;
  private channel?: Channel;

  static async start(amqpUrl: string, pattern = 'order.#'): Promise<ResultCollector> {
    const c = new ResultCollector();
    c.conn = await connectAmqp(amqpUrl);
    c.channel = await c.conn.createChannel();
    await declareTopology(c.channel);
    const { queue } = await c.channel.assertQueue('', { exclusive: true, autoDelete: true });
    await c.channel.bindQueue(queue, Exchange.RESULT, pattern);
    await c.channel.consume(queue, (msg) => msg && c.onMessage(msg.content), { noAck: true });
    const stock = await c.channel.assertQueue('', { exclusive: true, autoDelete: true });
    await c.channel.bindQueue(stock.queue, Exchange.STOCK, '');
    await c.channel.consume(stock.queue, (msg) => msg && c.onStockBack(msg.content), { noAck: true });
    return c;
  }

  private onMessage(body: Buffer): void {
    for (const event of parseOrderEvents(body)) this.onEvent(event);
  }

  private onEvent(event: OrderEventMessage): void {
    this.deliveries++;
    if (event.type === 'order.status') {
      this.statuses.set(event.uuid, [...(this.statuses.get(event.uuid) ?? []), event]);
      this.notify();
      return;
    }
    const m = event;
    const first = this.results.get(m.uuid);
    if (!first) {
      this.results.set(m.uuid, m);
      this.arrivedAt.set(m.uuid, performance.now());
    }
    else if (first.status !== m.status || first.orderNo !== m.orderNo || reasonOf(first) !== reasonOf(m)) this.conflicts.push({ first, later: m });
    this.notify();
  }

  private onStockBack(body: Buffer): void {
    this.stockBacks.push(parseStockBack(body));
    this.notify();
  }

  private notify(): void {
    this.waiters = this.waiters.filter((w) => (w.check() ? (w.resolve(), false) : true));
  }

  /** Resolves when `check` holds after some outcome arrived; rejects after `timeoutMs`. */
  waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what} (have ${this.results.size} outcomes)`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.push({ check, resolve: done });
    });
  }

  /** The distinct later statuses seen for a uuid. */
  statusesOf(uuid: string): string[] {
    return [...new Set((this.statuses.get(uuid) ?? []).map((s) => s.status))];
  }

  /** Waits for an outcome for every one of these uuids. */
  waitForAll(uuids: readonly string[], timeoutMs: number): Promise<void> {
    return this.waitFor(() => uuids.every((u) => this.results.has(u)), timeoutMs, `${uuids.length} outcomes`);
  }

  async close(): Promise<void> {
    await this.channel?.close().catch(() => undefined);
    await this.conn?.close().catch(() => undefined);
  }
}

function reasonOf(m: OrderResultMessage): string | undefined {
  return m.status === 'FAIL' ? m.reason : undefined;
}
