export { PersistenceModule } from './persistence.module';
export { dataSourceOptions, driverTimeouts, ensureDatabase, dropDatabase, migrate, DEFAULT_DATABASE_TIMEOUTS, type DatabaseTimeouts } from './data-source';
export { postgresCheck } from './postgres.check';
export { SaleItemRepository, type LoadLock } from './repositories/sale-items.repository';
export { OrderRepository } from './repositories/orders.repository';
export { OrderRequestRepository } from './repositories/order-requests.repository';
export {
  OrderBatchRepository,
  liveKey,
  type BatchCandidate,
  type BatchPlan,
  type BatchPlanner,
  type BatchRecord,
  type LockedItem,
  type PlannedDecision,
} from './repositories/order-batches.repository';
export { UserRepository, type AdminApplied } from './repositories/users.repository';
export type {
  SaleItemRecord,
  NewSaleItem,
  SaleWindowRecord,
  LiveBuyerRecord,
  StockSnapshot,
  OrderRecord,
  ChangedOrder,
  OrderRef,
  PendingPush,
  OutcomeRecord,
  UserRecord,
  SaleOpsRecord,
  RoomSettingsRecord,
  RoomItemRecord,
} from './repositories/records';
