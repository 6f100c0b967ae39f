import { Server, type CustomTransportStrategy } from '@nestjs/microservices';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import { lastValueFrom } from 'rxjs';
import type { ReadinessPart } from '@seckill/observability';
import type { MessagingLogger } from './channel-guard';
import type { ConfirmedPublisher } from './confirmed-publisher';
import { sourceName, type ConsumerSpec } from './consumer-spec';
import type { Delivery, Disposition } from './delivery';
import { QueueConsumer, type OutageProbe } from './queue-consumer';

export interface AmqpQueueServerOptions {
  connection: AmqpConnectionManager;
  publisher: ConfirmedPublisher;
  probe: OutageProbe;
  logger: MessagingLogger;
  /** Every queue this process consumes, with its prefetch, batching and dependencies (from configuration). */
  consumers: readonly ConsumerSpec[];
  /** Each consumer's attachment becomes part of the process's readiness. */
  addReadinessPart?: (part: ReadinessPart) => void;
  graceMs?: number;
}

/**
 * The @nestjs/microservices transport of the product: every queue a process consumes is one QueueConsumer, and
 * its handler is a plain `@EventPattern(queueName)` method. A handler without batching receives one Delivery
 * and returns a Disposition (`ack` when it returns nothing); with batching it receives `Delivery[]` and returns
 * one Disposition per message. A handler that throws leaves the decision to the consumer's failure policy
 * (outage: wait it out; failure: retry, then park). A consumer spec without a handler is a wiring bug and stops
 * the process at start.
 */
export class AmqpQueueServer extends Server implements CustomTransportStrategy {
  private readonly consumers: QueueConsumer[] = [];

  constructor(private readonly options: AmqpQueueServerOptions) {
    super();
  }

  listen(callback: (err?: unknown) => void): void {
    this.startAll().then(() => callback(), callback);
  }

  private async startAll(): Promise<void> {
    for (const spec of this.options.consumers) {
      const pattern = sourceName(spec.source);
      const handler = this.getHandlerByPattern(pattern);
      if (!handler) throw new Error(`no @EventPattern('${pattern}') handler for a configured consumer`);
      const consumer = new QueueConsumer(this.options.connection, spec, (batch) => this.dispatch(handler, spec, batch), {
        publisher: this.options.publisher,
        probe: this.options.probe,
        logger: this.options.logger,
      });
      this.consumers.push(consumer);
      this.options.addReadinessPart?.({ name: `consumer:${pattern}`, state: () => consumer.state() });
    }
    await Promise.all(this.consumers.map((c) => c.start()));
  }

  async close(): Promise<void> {
    await Promise.all(this.consumers.map((c) => c.stop(this.options.graceMs)));
  }

  on(): void {
    // Connection events are handled by amqp-connection-manager (reconnect, re-setup); nothing to expose.
  }

  unwrap<T>(): T {
    return this.options.connection as T;
  }

  private async dispatch(handler: NonNullable<ReturnType<Server['getHandlerByPattern']>>, spec: ConsumerSpec, batch: readonly Delivery[]): Promise<readonly Disposition[]> {
    const [first] = batch;
    // QueueConsumer never hands over an empty batch; a single-message handler gets its one delivery.
    if (!spec.batch && !first) return [];
    const payload: Delivery | readonly Delivery[] = spec.batch || !first ? batch : first;
    const result: unknown = await lastValueFrom(this.transformToObservable(await handler(payload)), { defaultValue: undefined });
    if (spec.batch) {
      if (!Array.isArray(result) || result.length !== batch.length) throw new Error(`batch handler for ${sourceName(spec.source)} must return one disposition per message`);
      return result.map((r) => (isDisposition(r) ? r : 'ack'));
    }
    return [isDisposition(result) ? result : 'ack'];
  }
}

function isDisposition(v: unknown): v is Disposition {
  return v === 'ack' || v === 'park';
}
