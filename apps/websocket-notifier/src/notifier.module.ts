import type { AmqpConnectionManager } from 'amqp-connection-manager';
import type Redis from 'ioredis';
import { Module } from '@nestjs/common';
import { TokenModule } from '@seckill/auth';
import { ConfigModule } from '@seckill/config';
import { AMQP_CONNECTION, ConfirmedPublisher, MessagingModule, rabbitmqCheck } from '@seckill/messaging';
import { ObservabilityModule } from '@seckill/observability';
import { REDIS, redisCheck, StockModule } from '@seckill/stock';
import { OrderEventsHandler } from './outcomes/order-events.handler';
import { OutcomeStore } from './outcomes/outcome-store';
import { OrderSocketGateway } from './socket/order-socket.gateway';
import { RedisSubscriberShutdown, redisSubscriberProvider } from './socket/redis-subscriber.provider';

@Module({
  imports: [
    ConfigModule,
    ObservabilityModule.forRoot('websocket-notifier', {
      inject: [REDIS, AMQP_CONNECTION, ConfirmedPublisher],
      useFactory: (redis: Redis, amqp: AmqpConnectionManager, publisher: ConfirmedPublisher) => [redisCheck(redis), rabbitmqCheck(amqp, publisher)],
    }),
    StockModule,
    MessagingModule.forRoot({ connectionName: 'websocket-notifier' }),
    TokenModule,
  ],
  controllers: [OrderEventsHandler],
  providers: [OutcomeStore, OrderSocketGateway, redisSubscriberProvider, RedisSubscriberShutdown],
})
export class NotifierModule {}
