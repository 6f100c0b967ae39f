import type Redis from 'ioredis';
import type { DependencyCheck } from '@seckill/observability';

/** Readiness and outage detection: the client is connected and Redis answers PING. */
export function redisCheck(redis: Redis): DependencyCheck {
  return {
    name: 'redis',
    check: async () => {
      // While reconnecting, ioredis would queue the PING: say "down" at once instead.
      if (redis.status !== 'ready') throw new Error(`connection ${redis.status}`);
      return redis.ping();
    },
  };
}
