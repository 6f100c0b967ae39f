import type { OrderView } from '@seckill/contracts';

/** An order row joined with its item's name, as the API shows it. */
export interface OrderRow {
  order_no: string;
  uuid: string;
  user_id: string;
  seckill_good_id: number;
  name: string;
  amount: string;
  status: OrderView['status'];
  created_at: Date;
  pay_deadline: Date;
  paid_at: Date | null;
  closed_at: Date | null;
}

export const ORDER_ROW_SELECT = `SELECT o.order_no, o.uuid, o.user_id, o.seckill_good_id, g.name, o.amount, o.status, o.created_at,
       o.pay_deadline, o.paid_at, o.closed_at
  FROM orders o JOIN seckill_goods g ON g.id = o.seckill_good_id`;

export function toOrderView(r: OrderRow): OrderView {
  return {
    orderNo: r.order_no,
    seckillGoodId: r.seckill_good_id,
    name: r.name,
    amount: Number(r.amount).toFixed(2),
    status: r.status,
    createdAt: r.created_at.toISOString(),
    payDeadline: r.pay_deadline.toISOString(),
    ...(r.paid_at ? { paidAt: r.paid_at.toISOString() } : {}),
    ...(r.closed_at ? { closedAt: r.closed_at.toISOString() } : {}),
  };
}
