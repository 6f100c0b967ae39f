import Redis from 'ioredis';
import { defineStockScripts } from './stock-scripts';

/**
 * A Redis client with the stock scripts defined. Commands issued while disconnected are queued and retried
 * by ioredis; `maxRetriesPerRequest` bounds that so an HTTP request fails fast (503) instead of hanging.
 */
export function createRedisClient(url: string, name: string): Redis {
  const redis = new Redis(url, {
    connectionName: name,
    maxRetriesPerRequest: 2,
    enableAutoPipelining: true,
    lazyConnect: false,
  });
  defineStockScripts(redis);
  return redis;
}
