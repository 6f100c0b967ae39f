import { Global, Module } from '@nestjs/common';
import { REDIS, REDIS_KEY_PREFIX, RedisModule, type RedisClient } from '@seckill/redis';
import { StockKeys } from './stock-keys';
import { StockService } from './stock.service';

/** The stock scripts on the process's Redis connection, and the key layout they use. */
@Global()
@Module({
  imports: [RedisModule],
  providers: [
    { provide: StockKeys, inject: [REDIS_KEY_PREFIX], useFactory: (prefix: string) => new StockKeys(prefix) },
    { provide: StockService, inject: [REDIS, StockKeys], useFactory: (redis: RedisClient, keys: StockKeys) => new StockService(redis, keys) },
  ],
  exports: [StockKeys, StockService],
})
export class StockModule {}
