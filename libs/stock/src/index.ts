export { StockModule, REDIS } from './stock.module';
export { StockService, type ReserveOutcome, type RequestState, type ClaimState, type RequestRecord, type LiveBuyer } from './stock.service';
export { StockKeys } from './stock-keys';
export { createRedisClient } from './redis-client';
export { redisCheck } from './redis.check';
