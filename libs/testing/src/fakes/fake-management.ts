import type { ManagementClient, QueueInfo } from '@seckill/messaging';
import type { Public } from './public';

/**
 * RabbitMQ's management API as statistics the test sets: `depths` maps a queue name to its message count (a
 * queue left out is one the statistics do not show yet). `failNext(err)` makes the next call reject (the plugin
 * unreachable). Remembers which vhost each call asked about.
 */
export class FakeManagementClient implements Public<ManagementClient> {
  readonly depths = new Map<string, number>();
  readonly asked: string[] = [];
  readonly endpoint = 'fake-management:15672';
  private failures: unknown[] = [];

  failNext(err: unknown, times = 1): void {
    for (let i = 0; i < times; i++) this.failures.push(err);
  }

  private check(vhost: string): void {
    this.asked.push(vhost);
    const err = this.failures.shift();
    if (err !== undefined) throw err;
  }

  async queues(vhost: string): Promise<QueueInfo[]> {
    this.check(vhost);
    return [...this.depths].map(([name, messages]) => info(name, messages));
  }

  async queue(vhost: string, name: string): Promise<QueueInfo> {
    this.check(vhost);
    const messages = this.depths.get(name);
    if (messages === undefined) throw new Error(`RabbitMQ management GET /api/queues/${encodeURIComponent(vhost)}/${encodeURIComponent(name)}: 404 Object Not Found`);
    return info(name, messages);
  }

  async overview(): Promise<{ rabbitmq_version?: string }> {
    return { rabbitmq_version: 'fake' };
  }

  async createVhost(): Promise<void> {}

  async deleteVhost(): Promise<void> {}
}

function info(name: string, messages: number): QueueInfo {
  return { name, messages, messages_ready: messages, messages_unacknowledged: 0, consumers: 0, arguments: {} };
}
