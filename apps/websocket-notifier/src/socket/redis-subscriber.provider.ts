import { Inject, Injectable, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import Redis from 'ioredis';
import { APP_CONFIG, type AppConfig } from '@seckill/config';
import { createLogger } from '@seckill/observability';
import { watchConnection } from '@seckill/stock';

export const REDIS_SUBSCRIBER = Symbol('REDIS_SUBSCRIBER');

/** A connection in subscriber mode can do nothing else, so it is separate from the command client. */
export const redisSubscriberProvider: Provider = {
  provide: REDIS_SUBSCRIBER,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig) => {
    const subscriber = new Redis(config.REDIS_URL, { connectionName: `notifier-sub-${process.pid}` });
    watchConnection(subscriber, 'notifier-subscriber', createLogger(undefined, config.LOG_LEVEL).child({ context: 'RedisSubscriber' }));
    return subscriber;
  },
};

@Injectable()
export class RedisSubscriberShutdown implements OnApplicationShutdown {
  constructor(@Inject(REDIS_SUBSCRIBER) private readonly subscriber: Redis) {}

  onApplicationShutdown(): void {
    this.subscriber.disconnect();
  }
}
