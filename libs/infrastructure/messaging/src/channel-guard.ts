import type { AmqpConnectionManager, ChannelWrapper } from 'amqp-connection-manager';
import type { Channel } from 'amqplib';

export interface MessagingLogger {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

const guarded = new WeakSet<object>();

/**
 * amqplib emits 'error' on a channel the server closes (a 404 on a deleted queue, PRECONDITION_FAILED), and
 * amqp-connection-manager emits 'error' on a wrapper whose setup failed. An EventEmitter with no 'error' listener
 * throws, which would end the process: every channel and wrapper gets one. The wrapper re-creates its channel on
 * the next reconnect; readiness shows a consumer that is not attached meanwhile.
 */
export function guardChannel(channel: Channel | ChannelWrapper, name: string, logger: MessagingLogger): void {
  if (guarded.has(channel)) return;
  guarded.add(channel);
  channel.on('error', (err: unknown) => logger.warn({ err, channel: name }, 'AMQP channel error; it is re-created on the next connect'));
}

/**
 * amqp-connection-manager re-creates a channel only when the whole connection comes back; a channel the server
 * closes on its own (an error on that channel) would stay dead while the connection lives. When that happens,
 * the connection is recycled so every channel is re-created and set up again.
 */
export function reviveWhenClosedAlone(connection: AmqpConnectionManager, channel: Channel, stillWanted: () => boolean, name: string, logger: MessagingLogger): void {
  channel.once('close', () => {
    const timer = setTimeout(() => {
      if (!stillWanted() || !connection.isConnected()) return;
      logger.warn({ channel: name }, 'AMQP channel closed by the server while the connection lives; reconnecting to re-create it');
      try {
        connection.reconnect();
      } catch {
        // closed meanwhile: nothing to revive
      }
    }, 1000);
    timer.unref();
  });
}
