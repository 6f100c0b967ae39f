/**
 * Shapes of the public contract (shared/contract.md) as the browser sees them. Declared here rather than
 * imported from libs/contracts: the page is an outside client of the contract and is compiled on its own.
 */
export type SaleStatus = 'upcoming' | 'live' | 'sold_out' | 'ended';

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
  status: 'QUEUED' | 'SUCCESS' | 'FAIL';
  orderNo?: string;
  reason?: string;
}

export type OrderStatus = 'UNPAID' | 'PAID' | 'CANCELLED' | 'TIMEOUT';

export interface Order {
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

export interface ClientConfig {
  notifierUrl: string | null;
  notifierPort: number;
  paymentWindowSeconds: number;
}

export interface LoginAnswer {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

/** The decided outcome of one order request, however it reached the page (pushed or polled). */
export type Outcome = { status: 'SUCCESS'; orderNo: string } | { status: 'FAIL'; reason: string };

/** What happens to an order after it was created (the notifier's `order.status` frames). */
export type LaterStatus = 'PAID' | 'CANCELLED' | 'TIMEOUT';
