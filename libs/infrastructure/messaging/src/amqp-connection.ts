import { connect, type AmqpConnectionManager } from 'amqp-connection-manager';
import { nodeAddress, splitUrlList } from '@seckill/config';
import type { MessagingLogger } from './channel-guard';
import { shuffled } from './shuffled';

/**
 * Longest wait for one node to accept a connection and open it. A node cut off by a partition drops packets
 * instead of refusing them, and the kernel would wait about two minutes before giving up on the TCP connect;
 * this bounds how long a process sticks to an unreachable node before trying the next.
 */
export const AMQP_CONNECT_TIMEOUT_MS = 5000;

export interface AmqpConnectionOptions {
  /** RABBITMQ_URL: one node, or the nodes of one cluster, comma-separated. */
  url: string;
  /** Shown in the management UI's connection list, so operators see which process holds which channel. */
  name: string;
  logger?: MessagingLogger;
  /**
   * Nodes are tried in a per-process random order, so the instances of an app spread over the cluster instead of
   * all crowding its first node. Tests that must know which node comes first keep the order given.
   */
  keepOrder?: boolean;
  connectTimeoutMs?: number;
}

/**
 * One connection per process; channels are multiplexed on it and re-created after every reconnect.
 *
 * With several nodes, amqp-connection-manager (5.x, `_connect`) takes them round-robin: every new connection,
 * after a failed attempt or after the current one closed, goes to the node after the last one tried, waiting
 * `reconnectTimeInSeconds` between attempts. So a process whose node goes away reconnects to the next node a
 * second later instead of hammering the dead one, and a dead node in the list costs one failed attempt per round.
 */
export function createAmqpConnection(opts: AmqpConnectionOptions): AmqpConnectionManager {
  const nodes = splitUrlList(opts.url);
  const connection = connect(opts.keepOrder ? nodes : shuffled(nodes), {
    heartbeatIntervalInSeconds: 5,
    reconnectTimeInSeconds: 1,
    connectionOptions: { clientProperties: { connection_name: opts.name }, timeout: opts.connectTimeoutMs ?? AMQP_CONNECT_TIMEOUT_MS },
  });
  const state = connection as { seckillBlocked?: boolean };
  const log = opts.logger;
  const node = (url: unknown) => (typeof url === 'string' ? nodeAddress(url) : undefined);
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
    log?.warn({ err }, nodes.length > 1 ? 'RabbitMQ connection lost; reconnecting to the next node' : 'RabbitMQ connection lost; reconnecting');
  });
  // Which node a process holds is what an operator needs when one of a cluster goes away.
  connection.on('connect', ({ url }) => log?.info({ node: node(url) }, 'RabbitMQ connected'));
  // Without a listener a failed attempt is silent, which hides a broker that stays away.
  connection.on('connectFailed', ({ err, url }) => log?.warn({ err, node: node(url) }, 'RabbitMQ connection attempt failed; retrying'));
  return connection;
}
