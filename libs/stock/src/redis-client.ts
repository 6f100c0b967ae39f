import Redis from 'ioredis';
import { defineStockScripts } from './stock-scripts';

export interface RedisLogger {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

/**
 * A Redis client with the stock scripts defined. Commands issued while disconnected are queued and retried
 * by ioredis; `maxRetriesPerRequest` bounds that so an HTTP request fails fast (503) instead of hanging.
 * Reconnection is ioredis's own (forever, backing off to 2 s); the scripts are re-sent by EVALSHA's fallback
 * after a restart that emptied the script cache.
 */
export function createRedisClient(url: string, name: string, logger?: RedisLogger): Redis {
  const redis = new Redis(url, {
    connectionName: name,
    maxRetriesPerRequest: 2,
    enableAutoPipelining: true,
    lazyConnect: false,
  });
  defineStockScripts(redis);
  watchConnection(redis, name, logger);
  return redis;
}

/** Logs a connection going and coming back, once each (ioredis emits 'error' on every failed attempt). */
export function watchConnection(redis: Redis, name: string, logger?: RedisLogger): void {
  let down = false;
  redis.on('error', (err: Error) => {
    if (down) return;
    down = true;
    logger?.warn({ err, connection: name }, 'Redis unreachable; reconnecting');
  });
  redis.on('ready', () => {
    if (!down) return;
    down = false;
    logger?.info({ connection: name }, 'Redis reconnected');
  });
}
