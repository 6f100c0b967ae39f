import type { AmqpConnectionManager } from 'amqp-connection-manager';
import { Module } from '@nestjs/common';
import { APP_CONFIG, ConfigModule, type AppConfig } from '@seckill/config';
import { AMQP_CONNECTION, ConfirmedPublisher, MessagingModule, rabbitmqCheck } from '@seckill/messaging';
import { ObservabilityModule } from '@seckill/observability';
import { PersistenceModule, postgresCheck } from '@seckill/persistence';
import { REDIS, redisCheck, type RedisClient } from '@seckill/redis';
import { StockModule } from '@seckill/stock';
import { OrderLifecycleModule } from '@seckill/order-lifecycle';
import { OrderFailedHandler } from './order-failed/order-failed.handler';
import { PaymentTimeoutHandler } from './payment-window/payment-timeout.handler';
import { PaymentWindowDeclarer } from './payment-window/payment-window.declarer';
import { OrderPlacedHandler } from './pending-orders/order-placed.handler';
import { FenceLifter } from './reconcile/fence-lifter';
import { LiveItems } from './reconcile/live-items';
import { ReconcileScheduler } from './reconcile/reconcile.scheduler';
import { StrandedSweeper } from './reconcile/stranded-sweeper';
import { StatusPushRelay } from './status-push/status-push.relay';

@Module({
  imports: [
    ConfigModule,
    ObservabilityModule.forRoot('order-worker', {
      inject: [APP_CONFIG, REDIS, AMQP_CONNECTION, ConfirmedPublisher],
      useFactory: (config: AppConfig, redis: RedisClient, amqp: AmqpConnectionManager, publisher: ConfirmedPublisher) => [
        postgresCheck(config.DATABASE_URL, { timeoutMs: config.DEPENDENCY_PROBE_TIMEOUT_MS }),
        redisCheck(redis),
        rabbitmqCheck(amqp, publisher),
      ],
    }),
    PersistenceModule,
    StockModule,
    MessagingModule.forRoot({ connectionName: 'order-worker' }),
    OrderLifecycleModule,
  ],
  // The handlers of the queues in consumers.ts (@EventPattern(queue) on the AmqpQueueServer transport).
  controllers: [OrderPlacedHandler, OrderFailedHandler, PaymentTimeoutHandler],
  providers: [PaymentWindowDeclarer, LiveItems, ReconcileScheduler, FenceLifter, StrandedSweeper, StatusPushRelay],
})
export class WorkerModule {}
