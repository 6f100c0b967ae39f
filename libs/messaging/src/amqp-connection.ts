import { connect, type AmqpConnectionManager } from 'amqp-connection-manager';

export interface AmqpConnectionOptions {
  url: string;
  /** Shown in the management UI's connection list, so operators see which process holds which channel. */
  name: string;
}

/** One connection per process; channels are multiplexed on it and re-created after every reconnect. */
export function createAmqpConnection(opts: AmqpConnectionOptions): AmqpConnectionManager {
  return connect([opts.url], {
    heartbeatIntervalInSeconds: 5,
    reconnectTimeInSeconds: 1,
    connectionOptions: { clientProperties: { connection_name: opts.name } },
  });
}
