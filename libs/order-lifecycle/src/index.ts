export { OrderLifecycleModule } from './order-lifecycle.module';
export { OrderLifecycleService } from './order-lifecycle.service';
export { StockReconciler, type ReconcileReport, type LoadOutcome } from './stock-reconciler';
export { toOrderView, ORDER_ROW_SELECT, type OrderRow } from './order-view';
