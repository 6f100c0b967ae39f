import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { APP_CONFIG, type AppConfig } from '@seckill/config';
import { createLogger } from '@seckill/observability';
import { createRedisClient } from './redis-client';
import { StockKeys } from './stock-keys';
import { StockService } from './stock.service';

export const REDIS = Symbol('REDIS');

class RedisShutdown implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        createRedisClient(config.REDIS_URL, `seckill-${process.pid}`, createLogger(undefined, config.LOG_LEVEL).child({ context: 'Redis' })),
    },
    { provide: StockKeys, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new StockKeys(config.REDIS_KEY_PREFIX) },
    { provide: StockService, inject: [REDIS, StockKeys], useFactory: (redis: Redis, keys: StockKeys) => new StockService(redis, keys) },
    RedisShutdown,
  ],
  exports: [REDIS, StockKeys, StockService],
})
export class StockModule {}
