import type { OrderStatus, RequestStatus, SaleStatus } from './order-status';
import type { RoomOps } from './waiting-room';

/**
 * Shapes of order-api's admin ops API, read by the ops console (/ops): GET /api/admin/ops/overview and
 * POST /api/admin/ops/parking-lots/:queue/replay. Not part of shared/contract.md (only the console uses them), but
 * kept here so that the server and the page are compiled against the same declaration.
 */

/** One sale as PostgreSQL and Redis each see it. */
export interface SaleOps {
  id: number;
  name: string;
  status: SaleStatus;
  stockTotal: number;
  db: { stockLeft: number; sold: number };
  redis: { stockLeft: number | null };
  /** Redis minus PostgreSQL; null when Redis has no counter for the sale. Briefly negative while reservations are in flight; 0 at rest. */
  drift: number | null;
  orders: Record<OrderStatus, number>;
  requests: Record<Exclude<RequestStatus, 'QUEUED'>, number>;
}

/** One RabbitMQ queue, as its management API last sampled it. */
export interface QueueOps {
  name: string;
  messages: number;
  ready: number;
  unacked: number;
  consumers: number;
  /** Messages per second. */
  publishRate: number;
  deliverRate: number;
  ackRate: number;
  isParkingLot: boolean;
  /** For a parking lot: the queue its messages came from (and go back to on replay). */
  source: string | null;
}

export interface OpsOverview {
  at: string;
  sales: SaleOps[];
  /** Every item with a waiting room (on, or switched off with people still in it). */
  rooms: RoomOps[];
  queues: QueueOps[];
  rabbitmq: { available: boolean; error?: string };
}

/** What a parking-lot replay moved, and where to. */
export interface ReplayResult {
  queue: string;
  to: string;
  replayed: number;
}
