import type { OrderStatusFrame } from '@seckill/contracts';

/** The decided outcome of one order request, however it reached the page (pushed or polled). */
export type Outcome = { status: 'SUCCESS'; orderNo: string } | { status: 'FAIL'; reason: string };

/** What happens to an order after it was created (the notifier's `order.status` frames). */
export type LaterStatus = OrderStatusFrame['status'];
