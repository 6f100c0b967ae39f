export { RedisModule, REDIS, REDIS_KEY_PREFIX } from './redis.module';
export { createRedisClient, createRedisSubscriber, watchConnection, type RedisLogger } from './redis-client';
export { redisCheck } from './redis.check';
