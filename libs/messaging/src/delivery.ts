import type { Channel, ConsumeMessage } from 'amqplib';

/** What a handler decides for one message. */
export type Disposition =
  /** done: remove it from the queue */
  | 'ack'
  /** transient failure: deliver it again (counts towards the delivery limit, then it is parked) */
  | 'retry'
  /** it can never succeed (unparseable, unknown version): dead-letter it to the parking lot now */
  | 'park';

/**
 * One delivered message, tied to the channel it arrived on. After a reconnect the old channel's delivery tags
 * mean nothing; settling on the dead channel is skipped and the broker redelivers the message instead.
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

  /** The order uuid carried in the headers (for logs), when the publisher set one. */
  get uuid(): string | undefined {
    const h = this.message.properties.headers?.['x-order-uuid'];
    return typeof h === 'string' ? h : undefined;
  }

  /** How often the broker has delivered it before (quorum queues count this). */
  get previousDeliveries(): number {
    const n = this.message.properties.headers?.['x-delivery-count'];
    return typeof n === 'number' ? n : 0;
  }

  settle(disposition: Disposition): void {
    if (this.settled || !this.isCurrent()) return;
    this.settled = true;
    switch (disposition) {
      case 'ack':
        this.channel.ack(this.message);
        return;
      case 'retry':
        this.channel.nack(this.message, false, true);
        return;
      case 'park':
        this.channel.nack(this.message, false, false);
        return;
    }
  }
}
