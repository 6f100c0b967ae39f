import type { FailReason, OrderStatus, RequestStatus, SaleStatus } from './order-status';

/** Shapes of the public HTTP contract (`shared/contract.md`). */
export interface SaleItem {
  id: number;
  name: string;
  price: string;
  seckillPrice: string;
  stockTotal: number;
  stockLeft: number;
  startTime: string;
  endTime: string;
  status: SaleStatus;
  /** Present when the item has a waiting room on (an addition to the contract's SaleItem). */
  waitingRoom?: { admitPerSecond: number; preQueueSeconds: number; opensAt: string };
}

export interface OrderResult {
  uuid: string;
  seckillGoodId: number;
  status: RequestStatus;
  orderNo?: string;
  reason?: FailReason;
}

export interface OrderView {
  orderNo: string;
  seckillGoodId: number;
  name: string;
  amount: string;
  status: OrderStatus;
  createdAt: string;
  payDeadline: string;
  paidAt?: string;
  closedAt?: string;
}

/** POST /api/auth/register → 201. */
export interface Registered {
  id: number;
  username: string;
}

/** POST /api/auth/login → 200. */
export interface LoginAnswer {
  accessToken: string;
  tokenType: 'Bearer';
  /** Seconds. */
  expiresIn: number;
}

/** POST /api/seckill/orders → 202: queued; the outcome follows on the socket or at GET …/orders/{uuid}. */
export interface OrderAccepted {
  uuid: string;
  status: 'QUEUED';
}

/** GET /api/client-config: what the shop page needs to know before it can follow an order (no secrets). */
export interface ClientConfig {
  /** Where the browser opens its sockets; null: the page's own host on `notifierPort`. */
  notifierUrl: string | null;
  notifierPort: number;
  paymentWindowSeconds: number;
}

export interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  details?: unknown;
}
