import type { AmqpConnectionManager } from 'amqp-connection-manager';
import type Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { Module } from '@nestjs/common';
import { ConfigModule } from '@seckill/config';
import { AMQP_CONNECTION, MessagingModule, rabbitmqCheck } from '@seckill/messaging';
import { DEPENDENCY_CHECKS, HealthController, ObservabilityModule } from '@seckill/observability';
import { PersistenceModule, postgresCheck } from '@seckill/persistence';
import { REDIS, redisCheck, StockModule } from '@seckill/stock';
import { OrderFailedHandler } from './order-failed/order-failed.handler';
import { OrderBatchRepository } from './pending-orders/order-batch.repository';
import { OrderPlacedHandler } from './pending-orders/order-placed.handler';
import { PendingOrdersConsumer } from './pending-orders/pending-orders.consumer';

@Module({
  imports: [ConfigModule, ObservabilityModule.forRoot('order-worker'), PersistenceModule, StockModule, MessagingModule.forRoot({ connectionName: 'order-worker' })],
  controllers: [HealthController, OrderFailedHandler],
  providers: [
    OrderBatchRepository,
    OrderPlacedHandler,
    PendingOrdersConsumer,
    {
      provide: DEPENDENCY_CHECKS,
      inject: [DataSource, REDIS, AMQP_CONNECTION],
      useFactory: (db: DataSource, redis: Redis, amqp: AmqpConnectionManager) => [postgresCheck(db), redisCheck(redis), rabbitmqCheck(amqp)],
    },
  ],
})
export class WorkerModule {}
