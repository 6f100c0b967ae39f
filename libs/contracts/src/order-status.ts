/** Outcome of one order request (what the shopper waits for). */
export const RequestStatus = { QUEUED: 'QUEUED', SUCCESS: 'SUCCESS', FAIL: 'FAIL' } as const;
export type RequestStatus = (typeof RequestStatus)[keyof typeof RequestStatus];

/** Why a queued request failed. `INTERNAL` is a request the system gave up on (the shopper may retry). */
export const FailReason = {
  SOLD_OUT: 'SOLD_OUT',
  ALREADY_ORDERED: 'ALREADY_ORDERED',
  SALE_ENDED: 'SALE_ENDED',
  INTERNAL: 'INTERNAL',
} as const;
export type FailReason = (typeof FailReason)[keyof typeof FailReason];

/** Life of a created order. UNPAID and PAID are "live": one live order per user per sale item. */
export const OrderStatus = { UNPAID: 'UNPAID', PAID: 'PAID', CANCELLED: 'CANCELLED', TIMEOUT: 'TIMEOUT' } as const;
export type OrderStatus = (typeof OrderStatus)[keyof typeof OrderStatus];

export const LIVE_ORDER_STATUSES: readonly OrderStatus[] = [OrderStatus.UNPAID, OrderStatus.PAID];

export const SaleStatus = { UPCOMING: 'upcoming', LIVE: 'live', SOLD_OUT: 'sold_out', ENDED: 'ended' } as const;
export type SaleStatus = (typeof SaleStatus)[keyof typeof SaleStatus];
