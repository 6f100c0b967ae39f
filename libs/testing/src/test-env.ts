import { randomBytes } from 'node:crypto';
import { createRedisClient, unlinkMatching, type RedisTarget } from '@seckill/redis';
import { splitUrlList, withVhost } from '@seckill/config';
import { ManagementClient } from '@seckill/messaging';
import { dropDatabase, migrate } from '@seckill/persistence';

/**
 * The servers an environment lives on: a PostgreSQL maintenance database, Redis, AMQP and the management API.
 * `amqp` and `management` may list the nodes of a RabbitMQ cluster, comma-separated (as RABBITMQ_URL may).
 */
export interface TestServers {
  database: string;
  redis: string;
  amqp: string;
  management: string;
  /** REDIS_CLUSTER_NODES when `redis` is a Redis Cluster (its seed nodes); `redis` then gives credentials only. */
  redisClusterNodes?: string;
}

/** Where the shared development servers are; tests never touch their default database, vhost or keys. */
export const SHARED_SERVERS: TestServers = {
  database: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  redis: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
  amqp: process.env.TEST_RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
  management: process.env.TEST_RABBITMQ_MANAGEMENT_URL ?? 'http://guest:guest@127.0.0.1:15672',
};

export const TEST_JWT_SECRET = 'test-secret-for-integration-suites';

export interface TestEnv {
  id: string;
  vhost: string;
  management: ManagementClient;
  /** Environment for a process of the product (order-api, order-worker) under test. */
  vars: Record<string, string>;
  databaseUrl: string;
  redisUrl: string;
  /** Set when the environment's Redis is a cluster (see TestServers). */
  redisClusterNodes?: string;
  amqpUrl: string;
  redisKeyPrefix: string;
  cleanup(): Promise<void>;
}

/**
 * An isolated world on the shared servers (or on `servers`, e.g. private ones a chaos run may stop): a database
 * of its own (migrated), a RabbitMQ vhost of its own and a Redis key prefix of its own. `cleanup` removes all three.
 */
export async function createTestEnv(name: string, servers: TestServers = SHARED_SERVERS): Promise<TestEnv> {
  const id = `${name.replace(/[^a-z0-9]/gi, '').toLowerCase().slice(0, 20)}_${randomBytes(4).toString('hex')}`;
  const dbUrl = new URL(servers.database);
  dbUrl.pathname = `/seckill_test_${id}`;
  const databaseUrl = dbUrl.toString();
  await migrate(databaseUrl);

  const vhost = `seckill-test-${id}`;
  const management = new ManagementClient(servers.management);
  await management.createVhost(vhost, new URL(splitUrlList(servers.amqp)[0] ?? servers.amqp).username || 'guest');
  const amqpUrl = withVhost(servers.amqp, vhost);

  const redisKeyPrefix = `test:${id}:`;
  const vars: Record<string, string> = {
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    REDIS_URL: servers.redis,
    ...(servers.redisClusterNodes ? { REDIS_CLUSTER_NODES: servers.redisClusterNodes } : {}),
    REDIS_KEY_PREFIX: redisKeyPrefix,
    RABBITMQ_URL: amqpUrl,
    RABBITMQ_MANAGEMENT_URL: servers.management,
    JWT_SECRET: TEST_JWT_SECRET,
    PASSWORD_HASH_MEMORY_KIB: '1024',
    // Suites drive thousands of shoppers from one address; the suites of the limits turn them on (vars override).
    RATE_LIMITS: 'off',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'info',
  };
  return {
    id,
    vhost,
    management,
    vars,
    databaseUrl,
    redisUrl: servers.redis,
    ...(servers.redisClusterNodes ? { redisClusterNodes: servers.redisClusterNodes } : {}),
    amqpUrl,
    redisKeyPrefix,
    async cleanup() {
      await dropDatabase(databaseUrl);
      await management.deleteVhost(vhost);
      await deleteKeysMatching({ url: servers.redis, clusterNodes: servers.redisClusterNodes }, `${redisKeyPrefix}*`);
    },
  };
}

/** Applies a test environment to this process (for in-process suites); call before anything reads config. */
export function useInProcess(env: TestEnv, extra: Record<string, string> = {}): void {
  Object.assign(process.env, env.vars, extra);
}

async function deleteKeysMatching(target: RedisTarget, pattern: string): Promise<void> {
  const redis = createRedisClient(target, 'test-env-cleanup');
  try {
    await unlinkMatching(redis, pattern);
  } finally {
    redis.disconnect();
  }
}
