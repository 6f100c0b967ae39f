import type { RedisClient } from './redis-client';
import type { DependencyCheck } from '@seckill/observability';

/** Readiness and outage detection: the client is connected and Redis answers PING (on a cluster, a node of it). */
export function redisCheck(redis: RedisClient): DependencyCheck {
  return {
    name: 'redis',
    check: async () => {
      // While reconnecting, ioredis would queue the PING: say "down" at once instead.
      if (redis.status !== 'ready') throw new Error(`connection ${redis.status}`);
      return redis.ping();
    },
  };
}
