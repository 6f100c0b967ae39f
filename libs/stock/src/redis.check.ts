import type Redis from 'ioredis';

/** Readiness check: Redis answers PING. */
export function redisCheck(redis: Redis): { name: string; check(): Promise<unknown> } {
  return { name: 'redis', check: () => redis.ping() };
}
