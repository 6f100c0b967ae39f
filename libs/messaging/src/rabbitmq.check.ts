import type { AmqpConnectionManager } from 'amqp-connection-manager';

/** Readiness check: the AMQP connection is up (amqp-connection-manager reconnects on its own). */
export function rabbitmqCheck(connection: AmqpConnectionManager): { name: string; check(): Promise<unknown> } {
  return { name: 'rabbitmq', check: async () => connection.isConnected() };
}
