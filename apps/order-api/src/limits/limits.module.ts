import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@seckill/config';
import { createLogger } from '@seckill/observability';
import { REDIS, REDIS_KEY_PREFIX, type RedisClient } from '@seckill/redis';
import { redisLimiterFactory } from './limiter-factories';
import { RequestLimits } from './request-limits';

/** The request limits over the process's one Redis client, under REDIS_KEY_PREFIX. */
@Global()
@Module({
  providers: [
    {
      provide: RequestLimits,
      inject: [APP_CONFIG, REDIS, REDIS_KEY_PREFIX],
      useFactory: (config: AppConfig, redis: RedisClient, prefix: string) =>
        new RequestLimits(config, redisLimiterFactory(redis, prefix), createLogger(undefined, config.LOG_LEVEL).child({ context: 'RequestLimits' })),
    },
  ],
  exports: [RequestLimits],
})
export class LimitsModule {}
