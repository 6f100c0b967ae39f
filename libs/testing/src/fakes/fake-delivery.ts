import type { ConsumeMessage } from 'amqplib';
import { Delivery } from '@seckill/messaging';

/**
 * A delivery as the consumer hands it to a handler. Settling is the consumer's job, not the handler's: this one
 * belongs to no live channel, so an ack or reject by mistake changes nothing.
 */
export function deliveryOf(body: unknown, routingKey = ''): Delivery {
  const content = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  const message = { content, fields: { routingKey }, properties: { headers: {} } } as unknown as ConsumeMessage;
  return new Delivery(message, {} as never, () => false);
}
