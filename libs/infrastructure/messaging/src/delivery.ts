import type { Channel, ConsumeMessage } from 'amqplib';

/**
 * What a handler decides for one message. A handler that cannot finish throws instead: the consumer then tells
 * an outage (retried until the dependency is back, never counted) from a failure (counted, parked at the limit).
 */
export type Disposition =
  /** done: remove it from the queue */
  | 'ack'
  /** it can never succeed (unparseable, unknown version): to the parking lot now */
  | 'park';

/**
 * One delivered message, tied to the channel it arrived on. After a reconnect the old channel's delivery tags
 * mean nothing; settling on a dead channel is skipped and the broker redelivers the message instead.
 */
export class Delivery {
  private settled = false;

  constructor(
    readonly message: ConsumeMessage,
    private readonly channel: Channel,
    private readonly isCurrent: () => boolean,
  ) {}

  get body(): Buffer {
    return this.message.content;
  }

  get headers(): Record<string, unknown> {
    return (this.message.properties.headers ?? {}) as Record<string, unknown>;
  }

  /** The order uuid carried in the headers (for logs), when the publisher set one. */
  get uuid(): string | undefined {
    const h = this.headers['x-order-uuid'];
    return typeof h === 'string' ? h : undefined;
  }

  /** How often the broker has returned this copy unsettled before (quorum queues count this). */
  get previousDeliveries(): number {
    const n = this.headers['x-delivery-count'];
    return typeof n === 'number' ? n : 0;
  }

  /** Settled, or no longer settleable (its channel is gone: the broker has it back). */
  get done(): boolean {
    return this.settled || !this.isCurrent();
  }

  ack(): void {
    this.settleWith(() => this.channel.ack(this.message));
  }

  /** Dead-letters it through the queue's own dead-letter exchange (its parking lot), or drops it if it has none. */
  reject(): void {
    this.settleWith(() => this.channel.nack(this.message, false, false));
  }

  private settleWith(settle: () => void): void {
    if (this.done) return;
    this.settled = true;
    try {
      settle();
    } catch {
      // The channel closed between the check and the call (amqplib throws IllegalOperationError): the broker has
      // the message back and delivers it again.
    }
  }
}
