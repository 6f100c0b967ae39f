import type { OrderView } from '@seckill/contracts';
import type { OrderRecord } from '@seckill/persistence';

/** An order as the API shows it. */
export function toOrderView(r: OrderRecord): OrderView {
  return {
    orderNo: r.orderNo,
    seckillGoodId: r.seckillGoodId,
    name: r.name,
    amount: Number(r.amount).toFixed(2),
    status: r.status,
    createdAt: r.createdAt.toISOString(),
    payDeadline: r.payDeadline.toISOString(),
    ...(r.paidAt ? { paidAt: r.paidAt.toISOString() } : {}),
    ...(r.closedAt ? { closedAt: r.closedAt.toISOString() } : {}),
  };
}
