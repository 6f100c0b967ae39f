import { nodeAddress, splitUrlList } from '@seckill/config';

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
  /** Quorum queues: the node of the leader and of every replica. */
  leader?: string;
  members?: string[];
  /** Rates are messages per second over the management plugin's sampling window; absent until traffic. */
  message_stats?: {
    publish_details?: { rate: number };
    deliver_get_details?: { rate: number };
    ack_details?: { rate: number };
  };
}

/** No endpoint of RABBITMQ_MANAGEMENT_URL answered: each was unreachable, too slow or failing (5xx). */
export class ManagementUnavailableError extends Error {
  override name = 'ManagementUnavailableError';
  readonly dependency = 'rabbitmq-management';
}

interface Endpoint {
  base: URL;
  auth: string;
  /** host:port, for messages: never the credentials. */
  address: string;
}

/** One endpoint's answer: a response to hand back, or why the next endpoint is asked instead. */
type Attempt = { ok: true; status: number; text: string } | { ok: false; why: string };

export const MANAGEMENT_TIMEOUT_MS = 5000;

/**
 * Every node of a cluster serves the whole cluster's management API, so any endpoint will do. A call goes to
 * the endpoint that answered last, and on to the next one on a network error, a timeout or a 5xx; it fails
 * only when none answers. A node that goes away therefore costs one failed attempt, not one per call.
 * Other answers (2xx, 4xx) come from a live node and are final.
 */
export class ManagementClient {
  private readonly endpoints: Endpoint[];
  private current = 0;

  /** `managementUrls`: RABBITMQ_MANAGEMENT_URL, one endpoint or several, comma-separated, each with its credentials. */
  constructor(
    managementUrls: string,
    private readonly timeoutMs = MANAGEMENT_TIMEOUT_MS,
  ) {
    this.endpoints = splitUrlList(managementUrls).map((raw) => {
      const url = new URL(raw);
      const auth = Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64');
      url.username = '';
      url.password = '';
      return { base: url, auth, address: nodeAddress(raw) };
    });
  }

  /** The endpoint calls go to first: the one that answered last (host:port). */
  get endpoint(): string {
    return this.endpoints[this.current]?.address ?? '';
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

  async overview(): Promise<{ rabbitmq_version?: string; cluster_name?: string }> {
    return (await this.call('GET', '/api/overview')) as { rabbitmq_version?: string; cluster_name?: string };
  }

  private async call(method: string, path: string, body?: object, okStatuses: number[] = []): Promise<unknown> {
    const failures: string[] = [];
    for (let i = 0; i < this.endpoints.length; i++) {
      const at = (this.current + i) % this.endpoints.length;
      const endpoint = this.endpoints[at] as Endpoint;
      const answer = await this.attempt(endpoint, method, path, body);
      if (!answer.ok) {
        failures.push(`${endpoint.address}: ${answer.why}`);
        continue;
      }
      this.current = at;
      if (answer.status >= 300 && !okStatuses.includes(answer.status)) {
        throw new Error(`RabbitMQ management ${method} ${path}: ${answer.status} ${answer.text}`);
      }
      return answer.text ? JSON.parse(answer.text) : undefined;
    }
    throw new ManagementUnavailableError(`RabbitMQ management ${method} ${path}: no endpoint answered (${failures.join('; ')})`);
  }

  private async attempt(endpoint: Endpoint, method: string, path: string, body?: object): Promise<Attempt> {
    try {
      const res = await fetch(new URL(path, endpoint.base), {
        method,
        headers: { authorization: `Basic ${endpoint.auth}`, 'content-type': 'application/json' },
        ...(body ? { body: JSON.stringify(body) } : {}),
        // Covers the body too: a node that stalls mid-answer is as gone as one that never answers.
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const text = await res.text();
      if (res.status >= 500) return { ok: false, why: `${res.status} ${res.statusText}`.trim() };
      return { ok: true, status: res.status, text };
    } catch (err) {
      return { ok: false, why: networkReason(err, this.timeoutMs) };
    }
  }
}

/** fetch reports a refused or reset connection as `TypeError: fetch failed` with the system error as its cause. */
function networkReason(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && err.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  const cause = err instanceof Error ? (err.cause as { code?: string; message?: string } | undefined) : undefined;
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
}
