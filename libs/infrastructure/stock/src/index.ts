export { StockModule } from './stock.module';
export { StockService, type ReserveOutcome, type RequestState, type ClaimState, type RequestRecord, type LiveBuyer, type ReconcileMode, type ReconcileStatus, type ReconcileResult } from './stock.service';
export { StockKeys } from './stock-keys';
export { defineStockScripts } from './stock-scripts';
