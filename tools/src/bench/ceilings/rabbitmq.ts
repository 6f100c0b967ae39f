import { randomUUID } from 'node:crypto';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import { MESSAGE_VERSION, type OrderPlacedMessage } from '@seckill/contracts';
import { ConfirmedPublisher, createAmqpConnection, Exchange, RoutingKey } from '@seckill/messaging';
import type { Bench } from '../bench';
import { CpuWindow, describeCpu, SERVERS } from '../cpu';
import { purgePending, type World } from '../fixtures';
import { flood, log, type Sample } from '../measurement';
import type { BenchOptions } from '../options';

/**
 * Ceiling 3: ConfirmedPublisher (the publisher order-api uses: persistent, publisher confirms) publishing order
 * messages to the real quorum queue seckill.order.pending, `concurrency` publishes in flight.
 */
export class RabbitMqCeiling implements Bench {
  readonly id = 'rabbitmq' as const;
  readonly label = 'RabbitMQ confirmed persistent publish alone';
  readonly method: string;
  private connection?: AmqpConnectionManager;
  private publisher?: ConfirmedPublisher;

  constructor(
    private readonly opts: BenchOptions,
    private readonly world: () => World,
  ) {
    this.method = `ConfirmedPublisher to the quorum queue ${'seckill.order.pending'} (persistent, confirmed), ${opts.concurrency} publishes in flight, order-sized messages`;
  }

  async setup(): Promise<void> {
    this.connection = createAmqpConnection({ url: this.world().env.amqpUrl, name: 'bench-rabbitmq-ceiling' });
    this.publisher = new ConfirmedPublisher(this.connection, 30_000);
    await this.publisher.waitForConnect();
  }

  private async once(durationMs: number): Promise<Sample> {
    const cpu = new CpuWindow({ rabbitmq: SERVERS.rabbitmq });
    const placedAt = new Date().toISOString();
    const { count, seconds } = await flood(this.opts.concurrency, durationMs, async (i) => {
      const uuid = randomUUID();
      const message: OrderPlacedMessage = { version: MESSAGE_VERSION, uuid, userId: i + 1, seckillGoodId: 1, placedAt };
      await this.publisher!.publish(Exchange.ORDER, RoutingKey.ORDER_PENDING, message, { uuid });
    });
    const usage = cpu.stop();
    const purged = await purgePending(this.world().env.amqpUrl);
    return { value: count / seconds, cpu: usage, detail: { published: count, seconds, purged } };
  }

  async warmup(): Promise<void> {
    await this.once(1000);
  }

  async run(): Promise<Sample> {
    const sample = await this.once(this.opts.durationSec * 1000);
    log(`  RabbitMQ confirmed publish: ${Math.round(sample.value)}/s; cpu ${describeCpu(sample.cpu!)}`);
    return sample;
  }

  async teardown(): Promise<void> {
    await this.publisher?.close().catch(() => undefined);
    await this.connection?.close().catch(() => undefined);
  }
}
