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

export interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  details?: unknown;
}
