import type { ConfirmChannel } from 'amqplib';
import type { ConfirmedPublisher, DeclaringChannel, PublishMeta, StockBroadcast } from '@seckill/messaging';
import type { Public } from './public';

type Setup = (channel: ConfirmChannel) => Promise<void>;

/** One declaration a setup made on the publisher's channel, with its arguments. */
export interface Declared {
  method: keyof DeclaringChannel;
  args: unknown[];
}

export interface Published {
  exchange: string;
  routingKey: string;
  body: unknown;
  meta: PublishMeta;
}

/**
 * A broker that confirms at once and remembers what was published. `failNext(err)` makes the next publish(es)
 * reject with `err` (a confirm timeout, a closed channel), as the real publisher would.
 *
 * `declare(setup)` behaves as amqp-connection-manager's setups: the setup (the same function replacing itself)
 * is kept for every later connect, and runs at once only while a channel is open (`usable`); `reconnect()` runs
 * them all again on a new channel. What they declared is in `declared`; `failNextDeclaration(err)` makes the
 * next declaration reject (the channel closed under it, PRECONDITION_FAILED).
 */
export class FakePublisher implements Public<ConfirmedPublisher> {
  readonly published: Published[] = [];
  readonly declared: Declared[] = [];
  private failures: unknown[] = [];
  private declareFailures: unknown[] = [];
  private setups: Setup[] = [];
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

  failNextDeclaration(err: unknown, times = 1): void {
    for (let i = 0; i < times; i++) this.declareFailures.push(err);
  }

  async declare(setup: Setup): Promise<void> {
    this.setups = this.setups.filter((s) => s !== setup);
    this.setups.push(setup);
    if (this.usable) await setup(this.channel());
  }

  /** The connection is back: a new channel, on which every setup runs again, in order. */
  async reconnect(): Promise<void> {
    this.usable = true;
    const channel = this.channel();
    for (const setup of this.setups) await setup(channel);
  }

  /** How many setups are kept for the next connect. */
  get setupCount(): number {
    return this.setups.length;
  }

  private channel(): ConfirmChannel {
    const record =
      (method: keyof DeclaringChannel) =>
      async (...args: unknown[]): Promise<unknown> => {
        const failure = this.declareFailures.shift();
        if (failure !== undefined) throw failure;
        this.declared.push({ method, args });
        return {};
      };
    const channel: DeclaringChannel = { assertExchange: record('assertExchange'), assertQueue: record('assertQueue'), bindQueue: record('bindQueue') };
    // A setup handed to declare() only declares: the declaring part of a channel is all it gets.
    return channel as unknown as ConfirmChannel;
  }

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
