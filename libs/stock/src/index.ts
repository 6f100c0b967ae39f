export { StockModule, REDIS } from './stock.module';
export { StockService, type ReserveOutcome, type RequestState, type ClaimState, type RequestRecord, type LiveBuyer, type ReconcileMode, type ReconcileStatus } from './stock.service';
export { StockKeys } from './stock-keys';
export { createRedisClient, watchConnection, type RedisLogger } from './redis-client';
export { redisCheck } from './redis.check';
