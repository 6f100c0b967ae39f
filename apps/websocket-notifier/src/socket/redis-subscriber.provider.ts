import { Inject, Injectable, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@seckill/config';
import { createLogger } from '@seckill/observability';
import { createRedisSubscriber, redisTargetOf, type RedisClient } from '@seckill/redis';

export const REDIS_SUBSCRIBER = Symbol('REDIS_SUBSCRIBER');

/** The notifier's own subscriber connection: announcements of outcomes, on this instance's one channel (SocketRegistry). */
export const redisSubscriberProvider: Provider = {
  provide: REDIS_SUBSCRIBER,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig) =>
    createRedisSubscriber(redisTargetOf(config), `notifier-sub-${process.pid}`, createLogger(undefined, config.LOG_LEVEL).child({ context: 'RedisSubscriber' })),
};

@Injectable()
export class RedisSubscriberShutdown implements OnApplicationShutdown {
  constructor(@Inject(REDIS_SUBSCRIBER) private readonly subscriber: RedisClient) {}

  onApplicationShutdown(): void {
    this.subscriber.disconnect();
  }
}
