import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import type { LimiterFactory } from './shared-limit';
import type { RedisClient } from '@seckill/redis';

/**
 * Counts in Redis under `<REDIS_KEY_PREFIX>limit:<rule>:<key>` (one atomic Lua INCR+EXPIRE per request), so every
 * instance shares one count. A key over its limit is then also blocked in this instance's memory until its window
 * ends (inMemoryBlockOnConsumed): a flood from a client already refused costs no further Redis round trip. While
 * the client is not connected the check fails at once (rejectIfRedisNotReady) instead of queueing behind ioredis's
 * retries; SharedLimit then counts in memory.
 */
export function redisLimiterFactory(redis: RedisClient, keyPrefix: string): LimiterFactory {
  return (rule) =>
    new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${keyPrefix}limit:${rule.name}`,
      points: rule.points,
      duration: rule.durationSeconds,
      inMemoryBlockOnConsumed: rule.points + 1,
      rejectIfRedisNotReady: true,
    });
}

/** Counts in this process's memory: svc tests (the fakes' Redis runs no Lua). */
export function memoryLimiterFactory(): LimiterFactory {
  return (rule) => new RateLimiterMemory({ keyPrefix: rule.name, points: rule.points, duration: rule.durationSeconds });
}
