import type { AmqpConnectionManager } from 'amqp-connection-manager';
import type Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { Module } from '@nestjs/common';
import { ConfigModule } from '@seckill/config';
import { AMQP_CONNECTION, MessagingModule, rabbitmqCheck } from '@seckill/messaging';
import { ObservabilityModule } from '@seckill/observability';
import { PersistenceModule, postgresCheck } from '@seckill/persistence';
import { REDIS, redisCheck, StockModule } from '@seckill/stock';
import { OrderLifecycleModule } from '@seckill/order-lifecycle';
import { OrderFailedHandler } from './order-failed/order-failed.handler';
import { PaymentTimeoutHandler } from './payment-window/payment-timeout.handler';
import { PaymentWindowDeclarer } from './payment-window/payment-window.declarer';
import { ReconcileScheduler } from './reconcile/reconcile.scheduler';
import { OrderBatchRepository } from './pending-orders/order-batch.repository';
import { OrderPlacedHandler } from './pending-orders/order-placed.handler';
import { PendingOrdersConsumer } from './pending-orders/pending-orders.consumer';

@Module({
  imports: [
    ConfigModule,
    ObservabilityModule.forRoot('order-worker', {
      inject: [DataSource, REDIS, AMQP_CONNECTION],
      useFactory: (db: DataSource, redis: Redis, amqp: AmqpConnectionManager) => [postgresCheck(db), redisCheck(redis), rabbitmqCheck(amqp)],
    }),
    PersistenceModule,
    StockModule,
    MessagingModule.forRoot({ connectionName: 'order-worker' }),
    OrderLifecycleModule,
  ],
  controllers: [OrderFailedHandler, PaymentTimeoutHandler],
  providers: [
    OrderBatchRepository,
    OrderPlacedHandler,
    PendingOrdersConsumer,
    PaymentWindowDeclarer,
    ReconcileScheduler,
  ],
})
export class WorkerModule {}
