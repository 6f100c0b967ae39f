import { Module } from '@nestjs/common';
import { ConfigModule } from '@seckill/config';
import { MessagingModule } from '@seckill/messaging';
import { ObservabilityModule } from '@seckill/observability';
import { PersistenceModule } from '@seckill/persistence';
import { StockModule } from '@seckill/stock';
import { HealthController } from './health/health.controller';
import { OrderFailedHandler } from './order-failed/order-failed.handler';
import { OrderBatchRepository } from './pending-orders/order-batch.repository';
import { OrderPlacedHandler } from './pending-orders/order-placed.handler';
import { PendingOrdersConsumer } from './pending-orders/pending-orders.consumer';

@Module({
  imports: [ConfigModule, ObservabilityModule.forRoot('order-worker'), PersistenceModule, StockModule, MessagingModule.forRoot({ connectionName: 'order-worker' })],
  controllers: [HealthController, OrderFailedHandler],
  providers: [OrderBatchRepository, OrderPlacedHandler, PendingOrdersConsumer],
})
export class WorkerModule {}
