import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { APP_CONFIG, type AppConfig } from '@seckill/config';
import { createLogger } from '@seckill/observability';
import { createRedisClient } from './redis-client';

export const REDIS = Symbol('REDIS');
/** The key prefix of this deployment (REDIS_KEY_PREFIX): every key the product writes starts with it. */
export const REDIS_KEY_PREFIX = Symbol('REDIS_KEY_PREFIX');

class RedisShutdown implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/** One Redis connection per process, shared by every library that needs Redis. */
@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        createRedisClient(config.REDIS_URL, `seckill-${process.pid}`, createLogger(undefined, config.LOG_LEVEL).child({ context: 'Redis' })),
    },
    { provide: REDIS_KEY_PREFIX, inject: [APP_CONFIG], useFactory: (config: AppConfig) => config.REDIS_KEY_PREFIX },
    RedisShutdown,
  ],
  exports: [REDIS, REDIS_KEY_PREFIX],
})
export class RedisModule {}
