import { Inject, Injectable, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import Redis from 'ioredis';
import { APP_CONFIG, type AppConfig } from '@seckill/config';

export const REDIS_SUBSCRIBER = Symbol('REDIS_SUBSCRIBER');

/** A connection in subscriber mode can do nothing else, so it is separate from the command client. */
export const redisSubscriberProvider: Provider = {
  provide: REDIS_SUBSCRIBER,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig) => new Redis(config.REDIS_URL, { connectionName: `notifier-sub-${process.pid}` }),
};

@Injectable()
export class RedisSubscriberShutdown implements OnApplicationShutdown {
  constructor(@Inject(REDIS_SUBSCRIBER) private readonly subscriber: Redis) {}

  onApplicationShutdown(): void {
    this.subscriber.disconnect();
  }
}
