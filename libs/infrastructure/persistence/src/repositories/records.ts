import type { FailReason, OrderStatus } from '@seckill/contracts';

/** What the repositories hand out: plain records in the domain's words, never raw rows. */

export interface SaleItemRecord {
  id: number;
  name: string;
  /** numeric(12,2) comes back from pg as a string, which keeps money exact. */
  price: string;
  seckillPrice: string;
  stockTotal: number;
  stockLeft: number;
  startTime: Date;
  endTime: Date;
  room: RoomSettingsRecord;
}

/** An item's waiting room settings (the room's live state is in Redis). */
export interface RoomSettingsRecord {
  enabled: boolean;
  admitPerSecond: number;
  preQueueSeconds: number;
}

export interface NewSaleItem {
  name: string;
  price: string;
  seckillPrice: string;
  stock: number;
  startTime: Date;
  endTime: Date;
  /** Present: the item starts with its waiting room on. */
  room?: { admitPerSecond: number; preQueueSeconds: number };
}

/** When an item is on sale: what order-api keeps in memory to refuse orders out of the window without I/O. */
export interface SaleWindowRecord {
  id: number;
  startMs: number;
  endMs: number;
  /** The waiting room; while it is on, an order needs an admission token. */
  room: RoomSettingsRecord;
}

/** An item whose waiting room is on, or was changed within the hour, as order-api's room sync needs it. */
export interface RoomItemRecord extends RoomSettingsRecord {
  id: number;
  startMs: number;
  endMs: number;
}

/** A shopper who holds a live order (UNPAID or PAID) of an item, and that order's request uuid. */
export interface LiveBuyerRecord {
  userId: number;
  uuid: string;
}

/** An item's stock as PostgreSQL has it, read at one instant: what Redis is rebuilt from. */
export interface StockSnapshot {
  stockLeft: number;
  live: LiveBuyerRecord[];
  /** Every request of the item that has an outcome (SUCCESS or FAIL). */
  decided: string[];
}

/** An order with its item's name, as the API shows it. */
export interface OrderRecord {
  orderNo: string;
  uuid: string;
  userId: number;
  seckillGoodId: number;
  name: string;
  amount: string;
  status: OrderStatus;
  createdAt: Date;
  payDeadline: Date;
  paidAt: Date | null;
  closedAt: Date | null;
}

/** Which order, and whose. */
export interface OrderRef {
  uuid: string;
  userId: number;
  seckillGoodId: number;
  orderNo: string;
}

/**
 * An order that has just changed state (paid, cancelled, timed out), as the change committed it, and the id of
 * the status push the same statement wrote to the outbox.
 */
export interface ChangedOrder extends Omit<OrderRecord, 'status'> {
  status: ClosingStatus;
  pushId: string;
}

/** The states an order changes to (from UNPAID), each with a push to the shopper. */
export type ClosingStatus = 'PAID' | 'CANCELLED' | 'TIMEOUT';

/** A status push still in the outbox: committed, not yet confirmed by RabbitMQ. */
export interface PendingPush extends OrderRef {
  pushId: string;
  status: ClosingStatus;
}

/** The durable outcome of one order request: successes carry the order number PostgreSQL assigned. */
export type OutcomeRecord =
  | { uuid: string; userId: number; seckillGoodId: number; status: 'SUCCESS'; orderNo: string }
  | { uuid: string; userId: number; seckillGoodId: number; status: 'FAIL'; reason: FailReason };

export interface UserRecord {
  id: number;
  username: string;
  passwordHash: string;
  role: 'shopper' | 'admin';
}

/** One sale item as the ops console shows it: PostgreSQL's side (Redis is added by the caller). */
export interface SaleOpsRecord {
  id: number;
  name: string;
  stockTotal: number;
  stockLeft: number;
  startTime: Date;
  endTime: Date;
  orders: Partial<Record<OrderStatus, number>>;
  requests: Partial<Record<'SUCCESS' | 'FAIL', number>>;
  room: RoomSettingsRecord;
}
