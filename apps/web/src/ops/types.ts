/** Shapes of the ops API (GET /api/admin/ops/overview, POST …/parking-lots/:queue/replay) and of login. */

export const ORDER_STATUSES = ['UNPAID', 'PAID', 'CANCELLED', 'TIMEOUT'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
export const REQUEST_STATUSES = ['SUCCESS', 'FAIL'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export interface SaleOverview {
  id: number;
  name: string;
  status: string;
  stockTotal: number;
  db: { stockLeft: number; sold: number };
  redis: { stockLeft: number | null };
  /** Redis minus PostgreSQL; null when Redis has no counter for the sale. */
  drift: number | null;
  orders: Record<OrderStatus, number>;
  requests: Record<RequestStatus, number>;
}

export interface QueueOverview {
  name: string;
  messages: number;
  ready: number;
  unacked: number;
  consumers: number;
  /** Messages per second, as RabbitMQ's management API last sampled them. */
  publishRate: number;
  deliverRate: number;
  ackRate: number;
  isParkingLot: boolean;
  /** For a parking lot: the queue its messages came from (and go back to on replay). */
  source: string | null;
}

export interface Overview {
  at: string;
  sales: SaleOverview[];
  queues: QueueOverview[];
  rabbitmq: { available: boolean; error?: string };
}

export interface ReplayResult {
  queue: string;
  to: string;
  replayed: number;
}

export interface LoginAnswer {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}
