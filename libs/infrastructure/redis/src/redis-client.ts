import Redis from 'ioredis';

export interface RedisLogger {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

/**
 * The process's Redis client. Commands issued while disconnected are queued and retried by ioredis;
 * `maxRetriesPerRequest` bounds that so an HTTP request fails fast (503) instead of hanging. Reconnection is
 * ioredis's own (for ever, backing off to 2 s). Auto-pipelining batches the commands of one event-loop turn:
 * under a flood that is what keeps Redis round trips from being the cost of an order.
 */
export function createRedisClient(url: string, name: string, logger?: RedisLogger): Redis {
  const redis = new Redis(url, {
    connectionName: name,
    maxRetriesPerRequest: 2,
    enableAutoPipelining: true,
    lazyConnect: false,
  });
  watchConnection(redis, name, logger);
  return redis;
}

/** A connection in subscriber mode can do nothing else, so it is a connection of its own. */
export function createRedisSubscriber(url: string, name: string, logger?: RedisLogger): Redis {
  const subscriber = new Redis(url, { connectionName: name });
  watchConnection(subscriber, name, logger);
  return subscriber;
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
