import Redis, { Cluster, type ClusterNode, type RedisOptions } from 'ioredis';

export interface RedisLogger {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

/**
 * One Redis or one Redis Cluster: every process of the product holds one of the two, chosen by configuration
 * (REDIS_CLUSTER_NODES), and uses it through the commands both have. Scripts and transactions touch the keys of one
 * hash slot only (see StockKeys), so they run unchanged on either.
 */
export type RedisClient = Redis | Cluster;

/** Where Redis is: REDIS_URL, and the seed nodes of a cluster when REDIS_CLUSTER_NODES is set. */
export interface RedisTarget {
  url: string;
  /** `host:port,host:port,…` (validated by the configuration); absent or empty: one node at `url`. */
  clusterNodes?: string | undefined;
}

/** The target of a validated configuration. */
export function redisTargetOf(config: { REDIS_URL: string; REDIS_CLUSTER_NODES?: string | undefined }): RedisTarget {
  return { url: config.REDIS_URL, clusterNodes: config.REDIS_CLUSTER_NODES };
}

export function isCluster(redis: RedisClient): redis is Cluster {
  return redis instanceof Cluster;
}

/** The seed nodes of a REDIS_CLUSTER_NODES value. */
export function clusterNodesOf(value: string): ClusterNode[] {
  return value
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '')
    .map((v) => {
      const at = v.lastIndexOf(':');
      return { host: v.slice(0, at), port: Number(v.slice(at + 1)) };
    });
}

/** Credentials, database-less TLS and the like from REDIS_URL, applied to every node of a cluster. */
function nodeOptionsOf(url: string): RedisOptions {
  const u = new URL(url);
  return {
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

function targetOf(target: RedisTarget | string): RedisTarget {
  return typeof target === 'string' ? { url: target } : target;
}

/**
 * A cluster client. Slots are refreshed every second, so a failover is noticed within a second or two, not on the
 * default 5 s. A node that goes away is dropped, not reconnected (ioredis's default, kept on purpose): with a
 * per-node retry strategy, commands queued on a node that was reconnecting when the slot refresh removed it from the
 * pool were never answered (ioredis 5.11: its disconnect() while 'reconnecting' flushes nothing); requests hung
 * for good in the failover test (e2e/src/redis-failover.e2e.spec.ts). A node that comes back is found again by the
 * next slot refresh.
 */
function createCluster(target: RedisTarget, nodes: string, options: RedisOptions, extra: { shardedSubscribers?: boolean } = {}): Cluster {
  return new Cluster(clusterNodesOf(nodes), {
    redisOptions: { ...nodeOptionsOf(target.url), ...options },
    enableAutoPipelining: options.enableAutoPipelining ?? false,
    // Commands during a failover wait at most this many tries (~ retryDelayOnFailover each) before failing: an HTTP
    // request then answers 503 instead of hanging while the replica is promoted.
    maxRedirections: 16,
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 200,
    retryDelayOnTryAgain: 200,
    slotsRefreshInterval: 1000,
    slotsRefreshTimeout: 1000,
    clusterRetryStrategy: (times) => Math.min(100 * times, 2000),
    ...extra,
  });
}

/**
 * The process's Redis client. Commands issued while disconnected are queued and retried by ioredis;
 * `maxRetriesPerRequest` bounds that so an HTTP request fails fast (503) instead of hanging. Reconnection is
 * ioredis's own (for ever, backing off to 2 s). Auto-pipelining batches the commands of one event-loop turn:
 * under a flood that is what keeps Redis round trips from being the cost of an order (on a cluster, per node).
 */
export function createRedisClient(target: RedisTarget | string, name: string, logger?: RedisLogger): RedisClient {
  const t = targetOf(target);
  const options: RedisOptions = { connectionName: name, maxRetriesPerRequest: 2, enableAutoPipelining: true, lazyConnect: false };
  const redis = t.clusterNodes ? createCluster(t, t.clusterNodes, options) : new Redis(t.url, options);
  watchConnection(redis, name, logger);
  return redis;
}

/**
 * A connection in subscriber mode can do nothing else, so it is a connection of its own. On a cluster it uses
 * sharded pub/sub (SSUBSCRIBE): a channel lives on the shard that owns its slot, instead of every message being
 * copied to every node of the cluster. Use `subscribeChannel` / `publishMessage` so both modes work.
 */
export function createRedisSubscriber(target: RedisTarget | string, name: string, logger?: RedisLogger): RedisClient {
  const t = targetOf(target);
  const subscriber = t.clusterNodes ? createCluster(t, t.clusterNodes, { connectionName: name }, { shardedSubscribers: true }) : new Redis(t.url, { connectionName: name });
  watchConnection(subscriber, name, logger);
  return subscriber;
}

/** Subscribes to one channel: SSUBSCRIBE on a cluster, SUBSCRIBE on one node. */
export async function subscribeChannel(subscriber: RedisClient, channel: string): Promise<void> {
  if (isCluster(subscriber)) await subscriber.ssubscribe(channel);
  else await subscriber.subscribe(channel);
}

/** Publishes to a channel subscribed with `subscribeChannel`; resolves to the number of receivers on its node. */
export async function publishMessage(redis: RedisClient, channel: string, message: string): Promise<number> {
  return isCluster(redis) ? Number(await redis.spublish(channel, message)) : redis.publish(channel, message);
}

/** Calls `handler` for every message of a subscriber (sharded or not). */
export function onChannelMessage(subscriber: RedisClient, handler: (channel: string, message: string) => void): void {
  subscriber.on(isCluster(subscriber) ? 'smessage' : 'message', handler);
}

/**
 * Every key matching `pattern`, in batches: SCAN on one node, SCAN on each master of a cluster (a cluster's SCAN
 * would see one node only). For tools and tests; never on a request path.
 */
export async function scanKeys(redis: RedisClient, pattern: string, onBatch: (keys: string[]) => Promise<void>, count = 1000): Promise<void> {
  // A cluster client knows its masters only once it has read the slots.
  if (isCluster(redis) && redis.status !== 'ready') await new Promise<void>((resolve) => redis.once('ready', () => resolve()));
  const nodes: Redis[] = isCluster(redis) ? redis.nodes('master') : [redis];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', count);
      cursor = next;
      if (keys.length > 0) await onBatch(keys);
    } while (cursor !== '0');
  }
}

/**
 * Removes every key matching `pattern` (scanKeys), one by one, pipelined by the client (on a cluster a multi-key
 * command must stay within one slot), with UNLINK so that a big value is freed off Redis's main thread. Returns how
 * many there were. For tools and tests.
 */
export async function unlinkMatching(redis: RedisClient, pattern: string, count = 1000): Promise<number> {
  let removed = 0;
  await scanKeys(
    redis,
    pattern,
    async (keys) => {
      for (const n of await Promise.all(keys.map((k) => redis.unlink(k)))) removed += n;
    },
    count,
  );
  return removed;
}

/** Logs a connection going and coming back, once each (ioredis emits 'error' on every failed attempt). */
export function watchConnection(redis: RedisClient, name: string, logger?: RedisLogger): void {
  let down = false;
  redis.on('error', (err: Error) => {
    if (down) return;
    down = true;
    logger?.warn({ err, connection: name }, 'Redis unreachable; reconnecting');
  });
  redis.on('ready', () => {
    if (!down) return;
    down = false;
    logger?.info({ connection: name }, 'Redis reconnected');
  });
}
