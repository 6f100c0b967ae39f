import { Module } from '@nestjs/common';
import { OrderLifecycleService } from './order-lifecycle.service';
import { StockReconciler } from './stock-reconciler';

/** Pay, cancel, timeout and reconciliation: used by order-api (HTTP) and order-worker (timeouts, periodic checks). */
@Module({
  providers: [OrderLifecycleService, StockReconciler],
  exports: [OrderLifecycleService, StockReconciler],
})
export class OrderLifecycleModule {}
