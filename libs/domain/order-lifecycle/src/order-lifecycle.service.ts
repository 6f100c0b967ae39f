import { Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { DomainError, ErrorCode, MESSAGE_VERSION, type OrderStatusMessage, type OrderView } from '@seckill/contracts';
import { ConfirmedPublisher, Exchange, RoutingKey, StockBroadcast } from '@seckill/messaging';
import { metrics } from '@seckill/observability';
import { OrderRepository, type ChangedOrder, type OrderRecord, type OrderRef } from '@seckill/persistence';
import { StockService } from '@seckill/stock';
import { toOrderView } from './order-view';

type Closing = 'CANCELLED' | 'TIMEOUT';

/**
 * The state machine of a created order (docs/order-lifecycle.md):
 *   UNPAID ──pay (before the deadline)──▶ PAID
 *   UNPAID ──cancel──▶ CANCELLED   (unit back)
 *   UNPAID ──payment window expired──▶ TIMEOUT   (unit back)
 * Every transition is one conditional statement (OrderRepository): only the first of concurrent pay, cancel and
 * timeout finds the order UNPAID. Closing an order and returning its unit to the item commit together, and every
 * change writes its status push to the outbox in the same statement. Redis, the sold-out flags and the push
 * follow after the commit; each of those steps is idempotent, and none of them can undo or hide the commit: pay
 * and cancel answer the committed order, a push that could not be sent stays in the outbox for the relay.
 * Paying a paid order and cancelling a cancelled one answer the order as it is (a retry after a lost answer).
 */
@Injectable()
export class OrderLifecycleService {
  constructor(
    private readonly orders: OrderRepository,
    private readonly stock: StockService,
    private readonly publisher: ConfirmedPublisher,
    private readonly broadcast: StockBroadcast,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext('OrderLifecycle');
  }

  async pay(userId: number, orderNo: string): Promise<OrderView> {
    const paid = await this.orders.pay(orderNo, userId);
    if (!paid) {
      const order = await this.mine(userId, orderNo);
      if (order.status === 'PAID') return toOrderView(order);
      throw new DomainError(ErrorCode.ORDER_NOT_PAYABLE, 'this order can no longer be paid');
    }
    metrics.orders.inc({ event: 'paid' });
    this.logger.info({ uuid: paid.uuid, orderNo }, 'order paid');
    await this.pushNow(paid);
    return toOrderView(paid);
  }

  async cancel(userId: number, orderNo: string): Promise<OrderView> {
    const closed = await this.orders.close(orderNo, 'CANCELLED', userId);
    if (!closed) {
      const order = await this.mine(userId, orderNo);
      if (order.status === 'CANCELLED') return toOrderView(order);
      throw new DomainError(ErrorCode.ORDER_NOT_CANCELLABLE, 'only an unpaid order can be cancelled');
    }
    metrics.orders.inc({ event: 'cancelled' });
    try {
      await this.giveBack(closed, 'CANCELLED');
    } catch (err) {
      // Committed: PostgreSQL has the unit back. Redis follows at the worker's next reconciliation of the item.
      this.logger.warn({ err, uuid: closed.uuid, orderNo }, 'order cancelled, but its unit is not back in Redis yet; reconciliation returns it');
    }
    await this.pushNow(closed);
    return toOrderView(closed);
  }

  /**
   * The payment window of an order expired. Left alone if it was paid or cancelled; a redelivered timeout of
   * an order already TIMEOUT repeats the (idempotent) follow-up steps, in case the first attempt died
   * between the commit and them. The push is the outbox's: sent once here, or by the relay. 'not-due' when the
   * order is still UNPAID before its own deadline (a window message shorter than the order's: a replay by a
   * worker configured with a shorter window); the caller starts its window again.
   */
  async timeout(orderNo: string): Promise<'timed-out' | 'left-alone' | 'not-due'> {
    const closed = await this.orders.close(orderNo, 'TIMEOUT');
    if (closed) {
      metrics.orders.inc({ event: 'timed_out' });
      try {
        await this.giveBack(closed, 'TIMEOUT');
      } finally {
        await this.pushNow(closed);
      }
      return 'timed-out';
    }
    const current = await this.orders.withStatus(orderNo);
    if (current?.status === 'UNPAID') return 'not-due';
    if (current?.status === 'TIMEOUT') await this.giveBack(current, 'TIMEOUT');
    return 'left-alone';
  }

  /**
   * One pass of the outbox relay: every push written at least `olderThanMs` ago and still unconfirmed (its first
   * publish failed, or its process died after the commit) is published and removed; returns how many. Oldest
   * first; a failing publish ends the pass (the broker is away: the next pass retries).
   */
  async relayPushes(olderThanMs: number, limit = 100): Promise<number> {
    let sent = 0;
    for (const push of await this.orders.pendingPushes(olderThanMs, limit)) {
      await this.announce(push, push.status);
      await this.orders.pushSent(push.pushId);
      sent++;
    }
    if (sent > 0) this.logger.info({ sent }, 'status pushes sent by the outbox relay');
    return sent;
  }

  /** After the commit: the unit back in Redis, every sold-out flag cleared. */
  private async giveBack(order: OrderRef, status: Closing): Promise<void> {
    const released = await this.stock.release(order.seckillGoodId, order.userId, order.uuid);
    await this.broadcast.unitsBack(order.seckillGoodId, status === 'TIMEOUT' ? 'timeout' : 'cancel', order.uuid);
    this.logger.info({ uuid: order.uuid, orderNo: order.orderNo, status, released }, 'order closed; unit returned');
  }

  /**
   * The change's push, sent at once so the shopper hears of it without the relay's delay. Never throws: the
   * change is committed and its push is in the outbox; what fails here is the relay's to finish.
   */
  private async pushNow(change: ChangedOrder): Promise<void> {
    try {
      await this.announce(change, change.status);
    } catch (err) {
      this.logger.warn({ err, uuid: change.uuid, orderNo: change.orderNo }, 'status push not confirmed; the outbox relay sends it');
      return;
    }
    await this.orders.pushSent(change.pushId).catch((err: unknown) => {
      this.logger.warn({ err, uuid: change.uuid, orderNo: change.orderNo }, 'status push sent but still in the outbox; the relay sends it once more');
    });
  }

  private async announce(order: OrderRef, status: OrderStatusMessage['status']): Promise<void> {
    const message: OrderStatusMessage = {
      version: MESSAGE_VERSION,
      type: 'order.status',
      uuid: order.uuid,
      userId: order.userId,
      seckillGoodId: order.seckillGoodId,
      orderNo: order.orderNo,
      status,
      at: new Date().toISOString(),
    };
    await this.publisher.publish(Exchange.RESULT, RoutingKey.ORDER_STATUS, message, { uuid: order.uuid });
  }

  /** The caller's order, or ORDER_NOT_FOUND (also for another user's order: order numbers cannot be probed). */
  private async mine(userId: number, orderNo: string): Promise<OrderRecord> {
    const order = await this.orders.mine(userId, orderNo);
    if (!order) throw new DomainError(ErrorCode.ORDER_NOT_FOUND, 'no such order');
    return order;
  }
}
