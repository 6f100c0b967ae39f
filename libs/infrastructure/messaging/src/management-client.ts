/**
 * RabbitMQ's management HTTP API (the plugin `rabbitmq_management`): queue depths and rates for operators,
 * and vhost administration for isolated test environments.
 */
export interface QueueInfo {
  name: string;
  messages: number;
  messages_ready: number;
  messages_unacknowledged: number;
  consumers: number;
  arguments: Record<string, unknown>;
  /** Rates are messages per second over the management plugin's sampling window; absent until traffic. */
  message_stats?: {
    publish_details?: { rate: number };
    deliver_get_details?: { rate: number };
    ack_details?: { rate: number };
  };
}

export class ManagementClient {
  private readonly base: URL;
  private readonly auth: string;

  constructor(managementUrl: string) {
    const url = new URL(managementUrl);
    this.auth = Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64');
    url.username = '';
    url.password = '';
    this.base = url;
  }

  async createVhost(vhost: string, user: string): Promise<void> {
    await this.call('PUT', `/api/vhosts/${encodeURIComponent(vhost)}`);
    await this.call('PUT', `/api/permissions/${encodeURIComponent(vhost)}/${encodeURIComponent(user)}`, { configure: '.*', write: '.*', read: '.*' });
  }

  async deleteVhost(vhost: string): Promise<void> {
    await this.call('DELETE', `/api/vhosts/${encodeURIComponent(vhost)}`, undefined, [404]);
  }

  async queues(vhost: string): Promise<QueueInfo[]> {
    return (await this.call('GET', `/api/queues/${encodeURIComponent(vhost)}`)) as QueueInfo[];
  }

  async queue(vhost: string, name: string): Promise<QueueInfo> {
    return (await this.call('GET', `/api/queues/${encodeURIComponent(vhost)}/${encodeURIComponent(name)}`)) as QueueInfo;
  }

  private async call(method: string, path: string, body?: object, okStatuses: number[] = []): Promise<unknown> {
    const res = await fetch(new URL(path, this.base), {
      method,
      headers: { authorization: `Basic ${this.auth}`, 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(5000),
    });
    if (!res.ok && !okStatuses.includes(res.status)) {
      throw new Error(`RabbitMQ management ${method} ${path}: ${res.status} ${await res.text()}`);
    }
    const text = await res.text();
    return text ? JSON.parse(text) : undefined;
  }
}
