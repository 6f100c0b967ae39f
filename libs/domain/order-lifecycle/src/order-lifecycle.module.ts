import { Module } from '@nestjs/common';
import { OrderLifecycleService } from './order-lifecycle.service';
import { StockSync } from './stock-sync';

/** Pay, cancel, timeout, and every PostgreSQL → Redis stock load: used by order-api and order-worker. */
@Module({
  providers: [OrderLifecycleService, StockSync],
  exports: [OrderLifecycleService, StockSync],
})
export class OrderLifecycleModule {}
