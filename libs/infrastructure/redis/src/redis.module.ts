import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@seckill/config';
import { createLogger } from '@seckill/observability';
import { createRedisClient, redisTargetOf, type RedisClient } from './redis-client';

export const REDIS = Symbol('REDIS');
/** The key prefix of this deployment (REDIS_KEY_PREFIX): every key the product writes starts with it. */
export const REDIS_KEY_PREFIX = Symbol('REDIS_KEY_PREFIX');

class RedisShutdown implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: RedisClient) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/** One Redis connection (or one cluster client) per process, shared by every library that needs Redis. */
@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        createRedisClient(redisTargetOf(config), `seckill-${process.pid}`, createLogger(undefined, config.LOG_LEVEL).child({ context: 'Redis' })),
    },
    { provide: REDIS_KEY_PREFIX, inject: [APP_CONFIG], useFactory: (config: AppConfig) => config.REDIS_KEY_PREFIX },
    RedisShutdown,
  ],
  exports: [REDIS, REDIS_KEY_PREFIX],
})
export class RedisModule {}
