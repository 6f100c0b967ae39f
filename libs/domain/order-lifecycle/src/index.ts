export { OrderLifecycleModule } from './order-lifecycle.module';
export { OrderLifecycleService } from './order-lifecycle.service';
export { StockSync, type ReconcileReport, type LoadOutcome } from './stock-sync';
export { toOrderView } from './order-view';
