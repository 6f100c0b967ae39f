import type { AmqpConnectionManager } from 'amqp-connection-manager';
import type { DependencyCheck } from '@seckill/observability';
import type { ConfirmedPublisher } from './confirmed-publisher';

/**
 * Readiness and outage detection: connected, the publisher's channel open, and publishers not blocked by a
 * broker alarm (amqp-connection-manager reconnects by itself; this only reports where it stands).
 */
export function rabbitmqCheck(connection: AmqpConnectionManager, publisher: ConfirmedPublisher): DependencyCheck {
  return {
    name: 'rabbitmq',
    check: async () => {
      if (!connection.isConnected()) throw new Error('not connected');
      if ((connection as { seckillBlocked?: boolean }).seckillBlocked) throw new Error('publishers blocked by a broker alarm');
      if (!publisher.usable) throw new Error('publisher channel not open');
      return true;
    },
  };
}
