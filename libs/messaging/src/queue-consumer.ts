import type { AmqpConnectionManager, ChannelWrapper } from 'amqp-connection-manager';
import type { Channel, ConsumeMessage } from 'amqplib';
import { metrics } from '@seckill/observability';
import { declareTopology } from './topology';
import { BatchPump } from './batch-pump';
import { Delivery, type Disposition } from './delivery';

export interface ConsumerLogger {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface QueueConsumerOptions {
  queue: string;
  /** Bound on unacknowledged messages held by this consumer: back-pressure and memory limit. */
  prefetch: number;
  name: string;
  logger: ConsumerLogger;
}

/**
 * Manual-ack consumer with a bounded prefetch that survives reconnects. Unlike Nest's RMQ transport defaults
 * (auto-ack, unlimited prefetch, a throwing handler leaves the message unacked forever), every message ends
 * acked, retried or parked.
 */
export abstract class BaseQueueConsumer {
  private channelWrapper?: ChannelWrapper;
  private generation = 0;
  private current?: { channel: Channel; consumerTag: string };

  protected constructor(
    private readonly connection: AmqpConnectionManager,
    protected readonly options: QueueConsumerOptions,
  ) {}

  start(): Promise<void> {
    this.channelWrapper = this.connection.createChannel({
      name: this.options.name,
      confirm: false,
      setup: async (channel: Channel) => {
        const generation = ++this.generation;
        await declareTopology(channel);
        await channel.prefetch(this.options.prefetch);
        const { consumerTag } = await channel.consume(
          this.options.queue,
          (msg: ConsumeMessage | null) => {
            if (msg) this.onDelivery(new Delivery(msg, channel, () => generation === this.generation));
          },
          { noAck: false },
        );
        this.current = { channel, consumerTag };
      },
    });
    return this.channelWrapper.waitForConnect();
  }

  /**
   * Graceful: stop receiving, let the messages in hand finish (so they are acked, not redelivered), then
   * close. Whatever is still unacked at close goes back to the queue and is replayed idempotently.
   */
  async stop(): Promise<void> {
    if (this.current) {
      await this.current.channel.cancel(this.current.consumerTag).catch(() => undefined);
      this.current = undefined;
    }
    await this.whenIdle();
    await this.channelWrapper?.close();
  }

  /** Resolves when no message is being processed. */
  abstract whenIdle(): Promise<void>;

  protected abstract onDelivery(delivery: Delivery): void;
}

export type MessageHandler = (delivery: Delivery) => Promise<Disposition>;

/** One message at a time through the handler; a thrown error means "retry" (bounded by the delivery limit). */
export class QueueConsumer extends BaseQueueConsumer {
  private inFlight = new Set<Promise<void>>();

  constructor(
    connection: AmqpConnectionManager,
    options: QueueConsumerOptions,
    private readonly handler: MessageHandler,
  ) {
    super(connection, options);
  }

  protected onDelivery(delivery: Delivery): void {
    const p = this.handler(delivery).then(
      (d) => delivery.settle(d),
      (err: unknown) => {
        this.options.logger.error({ err, uuid: delivery.uuid, queue: this.options.queue }, 'handler failed; message will be retried');
        delivery.settle('retry');
      },
    );
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  async whenIdle(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }
}

export type BatchHandler = (batch: readonly Delivery[]) => Promise<readonly Disposition[]>;

export interface BatchOptions {
  /** Most messages handed to the handler at once. */
  maxBatch: number;
  /**
   * Batches handled at once. More than one lets a batch's reads, Redis claim, publishes and acks overlap with
   * another batch's transaction; the prefetch must hold `maxBatch × maxInFlight` for the slots to fill.
   */
  maxInFlight: number;
}

/**
 * Hands the handler everything that arrived while the running batches were being processed (up to
 * `maxBatch`), with up to `maxInFlight` batches at once. Under light load a batch is one message and adds no
 * latency; under a flood batches grow by themselves, which is what turns one transaction per order into one
 * transaction per hundreds. Every message is settled on its own, so batches may finish out of order; the
 * handler must therefore be safe for two batches at once, even ones holding the same redelivered message.
 */
export class BatchConsumer extends BaseQueueConsumer {
  private readonly pump: BatchPump<Delivery>;

  constructor(
    connection: AmqpConnectionManager,
    options: QueueConsumerOptions,
    batching: BatchOptions,
    private readonly handler: BatchHandler,
  ) {
    super(connection, options);
    this.pump = new BatchPump<Delivery>(batching, (batch) => this.handle(batch), (err, batch) => {
      // Only a bug gets here (handle() catches the handler's errors); its messages come back after a reconnect.
      this.options.logger.error({ err, size: batch.length, queue: this.options.queue }, 'batch settlement failed');
    });
  }

  protected onDelivery(delivery: Delivery): void {
    this.pump.push(delivery);
  }

  /** Resolves when nothing is buffered or being processed, in any batch (used for graceful shutdown). */
  whenIdle(): Promise<void> {
    return this.pump.whenIdle();
  }

  private async handle(batch: Delivery[]): Promise<void> {
    metrics.consumerBatchSize.observe({ queue: this.options.queue }, batch.length);
    const timer = metrics.consumerBatchSeconds.startTimer({ queue: this.options.queue });
    let dispositions: readonly Disposition[];
    try {
      dispositions = await this.handler(batch);
    } catch (err) {
      this.options.logger.error({ err, size: batch.length, queue: this.options.queue }, 'batch failed; messages will be retried');
      dispositions = batch.map(() => 'retry' as const);
    }
    batch.forEach((d, i) => d.settle(dispositions[i] ?? 'retry'));
    timer();
  }
}
