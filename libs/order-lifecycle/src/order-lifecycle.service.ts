import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { PinoLogger } from 'nestjs-pino';
import type { DataSource } from 'typeorm';
import { DomainError, ErrorCode, MESSAGE_VERSION, type OrderStatusMessage, type OrderView, type StockBackMessage } from '@seckill/contracts';
import { ConfirmedPublisher, Exchange, RoutingKey } from '@seckill/messaging';
import { metrics } from '@seckill/observability';
import { StockService } from '@seckill/stock';
import { ORDER_ROW_SELECT, toOrderView, type OrderRow } from './order-view';

type Closing = 'CANCELLED' | 'TIMEOUT';

interface ClosedRow {
  uuid: string;
  user_id: string;
  seckill_good_id: number;
  order_no: string;
}

/**
 * The state machine of a created order (docs/order-lifecycle.md):
 *   UNPAID ──pay (before the deadline)──▶ PAID
 *   UNPAID ──cancel──▶ CANCELLED   (unit back)
 *   UNPAID ──payment window expired──▶ TIMEOUT   (unit back)
 * Every transition is one conditional UPDATE on `status = 'UNPAID'`: PostgreSQL's row lock makes concurrent
 * pay, cancel and timeout on one order take turns, and only the first finds it UNPAID. Closing an order and
 * returning its unit to the item are one statement, so they commit together or not at all. Redis, the
 * sold-out flags and the shopper's socket follow after the commit; each of those steps is idempotent.
 */
@Injectable()
export class OrderLifecycleService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly stock: StockService,
    private readonly publisher: ConfirmedPublisher,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext('OrderLifecycle');
  }

  async pay(userId: number, orderNo: string): Promise<OrderView> {
    const paid: ClosedRow[] = await this.db.query(
      // Wrapped in a SELECT so the driver returns the rows themselves (a bare UPDATE yields [rows, count]).
      `WITH paid AS (
         UPDATE orders SET status = 'PAID', paid_at = now()
          WHERE order_no = $1 AND user_id = $2 AND status = 'UNPAID' AND pay_deadline > now()
          RETURNING uuid, user_id, seckill_good_id, order_no
       )
       SELECT * FROM paid`,
      [orderNo, userId],
    );
    const row = paid[0];
    if (!row) {
      await this.mine(userId, orderNo);
      throw new DomainError(ErrorCode.ORDER_NOT_PAYABLE, 'this order can no longer be paid');
    }
    metrics.orders.inc({ event: 'paid' });
    this.logger.info({ uuid: row.uuid, orderNo }, 'order paid');
    await this.announce(row, 'PAID');
    return toOrderView(await this.mine(userId, orderNo));
  }

  async cancel(userId: number, orderNo: string): Promise<OrderView> {
    const row = await this.close(orderNo, 'CANCELLED', userId);
    if (row) metrics.orders.inc({ event: 'cancelled' });
    if (!row) {
      await this.mine(userId, orderNo);
      throw new DomainError(ErrorCode.ORDER_NOT_CANCELLABLE, 'only an unpaid order can be cancelled');
    }
    await this.giveBack(row, 'CANCELLED');
    return toOrderView(await this.mine(userId, orderNo));
  }

  /**
   * The payment window of an order expired. Left alone if it was paid or cancelled; a redelivered timeout of
   * an order already TIMEOUT repeats the (idempotent) follow-up steps, in case the first attempt died
   * between the commit and them.
   */
  async timeout(orderNo: string): Promise<'timed-out' | 'left-alone'> {
    const row = await this.close(orderNo, 'TIMEOUT');
    if (row) {
      metrics.orders.inc({ event: 'timed_out' });
      await this.giveBack(row, 'TIMEOUT');
      return 'timed-out';
    }
    const [current]: (ClosedRow & { status: string })[] = await this.db.query(
      `SELECT uuid, user_id, seckill_good_id, order_no, status FROM orders WHERE order_no = $1`,
      [orderNo],
    );
    if (current?.status === 'TIMEOUT') await this.giveBack(current, 'TIMEOUT');
    return 'left-alone';
  }

  private async close(orderNo: string, to: Closing, userId?: number): Promise<ClosedRow | undefined> {
    const rows: ClosedRow[] = await this.db.query(
      `WITH closed AS (
         UPDATE orders SET status = $2, closed_at = now()
          WHERE order_no = $1 AND status = 'UNPAID' AND ($3::bigint IS NULL OR user_id = $3)
          RETURNING uuid, user_id, seckill_good_id, order_no
       ), restocked AS (
         UPDATE seckill_goods g SET stock_left = g.stock_left + 1 FROM closed WHERE g.id = closed.seckill_good_id RETURNING g.id
       )
       SELECT closed.* FROM closed, restocked`,
      [orderNo, to, userId ?? null],
    );
    return rows[0];
  }

  /** After the commit: the unit back in Redis, every sold-out flag cleared, the shopper told. */
  private async giveBack(row: ClosedRow, status: Closing): Promise<void> {
    const userId = Number(row.user_id);
    const released = await this.stock.release(row.seckill_good_id, userId, row.uuid);
    const back: StockBackMessage = { version: MESSAGE_VERSION, seckillGoodId: row.seckill_good_id, reason: status === 'TIMEOUT' ? 'timeout' : 'cancel' };
    await this.publisher.publish(Exchange.STOCK, '', back, { uuid: row.uuid });
    await this.announce(row, status);
    this.logger.info({ uuid: row.uuid, orderNo: row.order_no, status, released }, 'order closed; unit returned');
  }

  private async announce(row: ClosedRow, status: OrderStatusMessage['status']): Promise<void> {
    const message: OrderStatusMessage = {
      version: MESSAGE_VERSION,
      type: 'order.status',
      uuid: row.uuid,
      userId: Number(row.user_id),
      seckillGoodId: row.seckill_good_id,
      orderNo: row.order_no,
      status,
      at: new Date().toISOString(),
    };
    await this.publisher.publish(Exchange.RESULT, RoutingKey.ORDER_STATUS, message, { uuid: row.uuid });
  }

  /** The caller's order, or ORDER_NOT_FOUND (also for another user's order: order numbers cannot be probed). */
  private async mine(userId: number, orderNo: string): Promise<OrderRow> {
    const [row]: OrderRow[] = await this.db.query(`${ORDER_ROW_SELECT} WHERE o.order_no = $1 AND o.user_id = $2`, [orderNo, userId]);
    if (!row) throw new DomainError(ErrorCode.ORDER_NOT_FOUND, 'no such order');
    return row;
  }
}
