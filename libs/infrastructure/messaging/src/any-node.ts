import { connect, type ChannelModel } from 'amqplib';
import { splitUrlList } from '@seckill/config';
import { AMQP_CONNECT_TIMEOUT_MS } from './amqp-connection';

/**
 * For a short-lived connection of its own (a parking-lot replay, a tool purging queues): the first node of
 * RABBITMQ_URL that accepts one, in the order listed. Rejects with the last node's error when none does, so a
 * caller that maps a refused connection to "try again later" sees the same error as with a single node.
 */
export async function connectToAnyNode<T>(urls: string, connectTo: (node: string) => Promise<T>): Promise<T> {
  let lastError: unknown = new Error('no RabbitMQ node listed');
  for (const node of splitUrlList(urls)) {
    try {
      return await connectTo(node);
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError;
}

/** amqplib's connect, on the first node of a list that answers (each bounded like the long-lived connection). */
export function connectAmqp(urls: string, socketOptions: { timeout?: number } & Record<string, unknown> = {}): Promise<ChannelModel> {
  return connectToAnyNode(urls, (node) => connect(node, { timeout: AMQP_CONNECT_TIMEOUT_MS, ...socketOptions }));
}
