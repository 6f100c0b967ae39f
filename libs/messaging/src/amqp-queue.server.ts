import { Server, type CustomTransportStrategy } from '@nestjs/microservices';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import { lastValueFrom } from 'rxjs';
import type { Delivery, Disposition } from './delivery';
import { QueueConsumer, type ConsumerLogger } from './queue-consumer';

export interface AmqpQueueServerOptions {
  connection: AmqpConnectionManager;
  queue: string;
  prefetch: number;
  logger: ConsumerLogger;
}

/**
 * A @nestjs/microservices transport over one of our durable queues, so handlers are plain
 * `@EventPattern('order.fail')` methods. Unlike Nest's RMQ transport it acks manually, bounds prefetch and
 * never leaves a message unacked: the handler returns a Disposition (`ack` when it returns nothing), a
 * thrown error means `retry`, and a routing key without a handler is parked. The pattern is the message's
 * routing key, matched exactly or as an AMQP topic pattern (`order.*`); the payload is the Delivery itself
 * (handlers parse it with the contracts' parsers).
 */
export class AmqpQueueServer extends Server implements CustomTransportStrategy {
  private consumer?: QueueConsumer;

  constructor(private readonly options: AmqpQueueServerOptions) {
    super();
  }

  listen(callback: (err?: unknown) => void): void {
    this.consumer = new QueueConsumer(
      this.options.connection,
      { queue: this.options.queue, prefetch: this.options.prefetch, name: `nest:${this.options.queue}`, logger: this.options.logger },
      (delivery) => this.dispatch(delivery),
    );
    this.consumer.start().then(() => callback(), callback);
  }

  async close(): Promise<void> {
    await this.consumer?.stop();
  }

  on(): void {
    // Connection events are handled by amqp-connection-manager (reconnect, re-setup); nothing to expose.
  }

  unwrap<T>(): T {
    return this.options.connection as T;
  }

  private topicHandler(routingKey: string): ReturnType<Server['getHandlerByPattern']> {
    for (const [pattern, handler] of this.messageHandlers) if (topicMatches(pattern, routingKey)) return handler;
    return null;
  }

  private async dispatch(delivery: Delivery): Promise<Disposition> {
    const pattern = delivery.message.fields.routingKey;
    const handler = this.getHandlerByPattern(pattern) ?? this.topicHandler(pattern);
    if (!handler) {
      this.options.logger.error({ pattern, queue: this.options.queue, uuid: delivery.uuid }, 'no handler for routing key; message parked');
      return 'park';
    }
    const result: unknown = await lastValueFrom(this.transformToObservable(await handler(delivery)), { defaultValue: undefined });
    return isDisposition(result) ? result : 'ack';
  }
}

/** AMQP topic matching: `*` is one word, `#` is zero or more. */
export function topicMatches(pattern: string, routingKey: string): boolean {
  const words = pattern.split('.');
  const keys = routingKey.split('.');
  const match = (i: number, j: number): boolean => {
    if (i === words.length) return j === keys.length;
    if (words[i] === '#') return match(i + 1, j) || (j < keys.length && match(i, j + 1));
    return j < keys.length && (words[i] === '*' || words[i] === keys[j]) && match(i + 1, j + 1);
  };
  return match(0, 0);
}

function isDisposition(v: unknown): v is Disposition {
  return v === 'ack' || v === 'retry' || v === 'park';
}
