import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { OrderStatus } from '@seckill/contracts';
import type { ChangedOrder, OrderRecord, OrderRef, PendingPush } from './records';

interface OrderRow {
  order_no: string;
  uuid: string;
  user_id: string;
  seckill_good_id: number;
  name: string;
  amount: string;
  status: OrderStatus;
  created_at: Date;
  pay_deadline: Date;
  paid_at: Date | null;
  closed_at: Date | null;
}

interface RefRow {
  uuid: string;
  user_id: string;
  seckill_good_id: number;
  order_no: string;
}

type ChangedRow = OrderRow & { push_id: string };

/** The columns a changing statement returns (with the item's name joined in by the statement itself). */
const CHANGED_COLUMNS = 'order_no, uuid, user_id, seckill_good_id, amount, status, created_at, pay_deadline, paid_at, closed_at';

const ORDER_SELECT = `SELECT o.order_no, o.uuid, o.user_id, o.seckill_good_id, g.name, o.amount, o.status, o.created_at,
       o.pay_deadline, o.paid_at, o.closed_at
  FROM orders o JOIN seckill_goods g ON g.id = o.seckill_good_id`;

function toRecord(r: OrderRow): OrderRecord {
  return {
    orderNo: r.order_no,
    uuid: r.uuid,
    userId: Number(r.user_id),
    seckillGoodId: r.seckill_good_id,
    name: r.name,
    amount: r.amount,
    status: r.status,
    createdAt: r.created_at,
    payDeadline: r.pay_deadline,
    paidAt: r.paid_at,
    closedAt: r.closed_at,
  };
}

function toRef(r: RefRow): OrderRef {
  return { uuid: r.uuid, userId: Number(r.user_id), seckillGoodId: r.seckill_good_id, orderNo: r.order_no };
}

function toChanged(r: ChangedRow): ChangedOrder {
  return { ...toRecord(r), status: r.status as ChangedOrder['status'], pushId: String(r.push_id) };
}

/**
 * Created orders (table orders). Every state change is one conditional statement on `status = 'UNPAID'`:
 * PostgreSQL's row lock makes concurrent pay, cancel and timeout of one order take turns, and only the first finds
 * it UNPAID (docs/order-lifecycle.md). The statement that changes an order also writes the shopper's status push
 * to order_status_outbox, so a committed change always has its push, whatever happens after the commit.
 */
@Injectable()
export class OrderRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** UNPAID → PAID for its owner before the deadline, with its status push; null when that did not apply. */
  async pay(orderNo: string, userId: number): Promise<ChangedOrder | null> {
    // Wrapped in a SELECT so the driver returns the rows themselves (a bare UPDATE yields [rows, count]).
    const [row]: ChangedRow[] = await this.db.query(
      `WITH paid AS (
         UPDATE orders SET status = 'PAID', paid_at = now()
          WHERE order_no = $1 AND user_id = $2 AND status = 'UNPAID' AND pay_deadline > now()
          RETURNING ${CHANGED_COLUMNS}
       ), pushed AS (
         INSERT INTO order_status_outbox (order_no, status) SELECT order_no, status FROM paid RETURNING id
       )
       SELECT paid.*, g.name, pushed.id AS push_id FROM paid JOIN seckill_goods g ON g.id = paid.seckill_good_id, pushed`,
      [orderNo, userId],
    );
    return row ? toChanged(row) : null;
  }

  /**
   * UNPAID → CANCELLED (by its owner) or TIMEOUT, its unit back to the item and its status push, in one
   * statement: all commit or none. Null when the order was not UNPAID (or not the owner's), and for a TIMEOUT
   * before the order's own deadline: the shopper was told to pay until then, whatever window a message carried.
   */
  async close(orderNo: string, to: 'CANCELLED' | 'TIMEOUT', ownerId?: number): Promise<ChangedOrder | null> {
    const [row]: ChangedRow[] = await this.db.query(
      `WITH closed AS (
         UPDATE orders SET status = $2, closed_at = now()
          WHERE order_no = $1 AND status = 'UNPAID' AND ($3::bigint IS NULL OR user_id = $3)
            AND (NOT $4::boolean OR pay_deadline <= now())
          RETURNING ${CHANGED_COLUMNS}
       ), restocked AS (
         UPDATE seckill_goods g SET stock_left = g.stock_left + 1 FROM closed WHERE g.id = closed.seckill_good_id RETURNING g.id, g.name
       ), pushed AS (
         INSERT INTO order_status_outbox (order_no, status) SELECT order_no, status FROM closed RETURNING id
       )
       SELECT closed.*, restocked.name, pushed.id AS push_id FROM closed, restocked, pushed`,
      [orderNo, to, ownerId ?? null, to === 'TIMEOUT'],
    );
    return row ? toChanged(row) : null;
  }

  /** An order and its status, whoever owns it (the payment-window timeout knows only the order number). */
  async withStatus(orderNo: string): Promise<(OrderRef & { status: OrderStatus }) | null> {
    const [row]: (RefRow & { status: OrderStatus })[] = await this.db.query(
      `SELECT uuid, user_id, seckill_good_id, order_no, status FROM orders WHERE order_no = $1`,
      [orderNo],
    );
    return row ? { ...toRef(row), status: row.status } : null;
  }

  /** Status pushes written at least `olderThanMs` ago and not yet confirmed, oldest first. */
  async pendingPushes(olderThanMs: number, limit = 100): Promise<PendingPush[]> {
    const rows: (RefRow & { push_id: string; status: PendingPush['status'] })[] = await this.db.query(
      `SELECT x.id AS push_id, x.status, o.uuid, o.user_id, o.seckill_good_id, o.order_no
         FROM order_status_outbox x JOIN orders o ON o.order_no = x.order_no
        WHERE x.created_at <= now() - $1 * interval '1 millisecond'
        ORDER BY x.id LIMIT $2`,
      [olderThanMs, limit],
    );
    return rows.map((r) => ({ ...toRef(r), pushId: String(r.push_id), status: r.status }));
  }

  /** RabbitMQ confirmed the push: it leaves the outbox (a second call is harmless). */
  async pushSent(pushId: string): Promise<void> {
    await this.db.query(`DELETE FROM order_status_outbox WHERE id = $1`, [pushId]);
  }

  /** The owner's order, or null (also for another user's order: order numbers cannot be probed). */
  async mine(userId: number, orderNo: string): Promise<OrderRecord | null> {
    const [row]: OrderRow[] = await this.db.query(`${ORDER_SELECT} WHERE o.order_no = $1 AND o.user_id = $2`, [orderNo, userId]);
    return row ? toRecord(row) : null;
  }

  /** The owner's orders, newest first. */
  async listMine(userId: number, limit = 200): Promise<OrderRecord[]> {
    const rows: OrderRow[] = await this.db.query(`${ORDER_SELECT} WHERE o.user_id = $1 ORDER BY o.created_at DESC, o.id DESC LIMIT $2`, [userId, limit]);
    return rows.map(toRecord);
  }
}
