import { connect, type AmqpConnectionManager } from 'amqp-connection-manager';
import type { MessagingLogger } from './channel-guard';

export interface AmqpConnectionOptions {
  url: string;
  /** Shown in the management UI's connection list, so operators see which process holds which channel. */
  name: string;
  logger?: MessagingLogger;
}

/** One connection per process; channels are multiplexed on it and re-created after every reconnect. */
export function createAmqpConnection(opts: AmqpConnectionOptions): AmqpConnectionManager {
  const connection = connect([opts.url], {
    heartbeatIntervalInSeconds: 5,
    reconnectTimeInSeconds: 1,
    connectionOptions: { clientProperties: { connection_name: opts.name } },
  });
  const state = connection as { seckillBlocked?: boolean };
  const log = opts.logger;
  connection.on('blocked', ({ reason }) => {
    state.seckillBlocked = true;
    log?.warn({ reason }, 'RabbitMQ blocks publishers (resource alarm)');
  });
  connection.on('unblocked', () => {
    state.seckillBlocked = false;
    log?.info({}, 'RabbitMQ unblocked publishers');
  });
  connection.on('disconnect', ({ err }) => {
    state.seckillBlocked = false;
    log?.warn({ err }, 'RabbitMQ connection lost; reconnecting');
  });
  connection.on('connect', () => log?.info({}, 'RabbitMQ connected'));
  // Without a listener a failed attempt is silent, which hides a broker that stays away.
  connection.on('connectFailed', ({ err }) => log?.warn({ err }, 'RabbitMQ connection attempt failed; retrying'));
  return connection;
}
