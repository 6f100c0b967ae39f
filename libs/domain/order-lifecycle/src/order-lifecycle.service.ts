import { Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { DomainError, ErrorCode, MESSAGE_VERSION, type OrderStatusMessage, type OrderView } from '@seckill/contracts';
import { ConfirmedPublisher, Exchange, RoutingKey, StockBroadcast } from '@seckill/messaging';
import { metrics } from '@seckill/observability';
import { OrderRepository, type ChangedOrder, type OrderRecord } from '@seckill/persistence';
import { StockService } from '@seckill/stock';
import { toOrderView } from './order-view';

type Closing = 'CANCELLED' | 'TIMEOUT';

/**
 * The state machine of a created order (docs/order-lifecycle.md):
 *   UNPAID ──pay (before the deadline)──▶ PAID
 *   UNPAID ──cancel──▶ CANCELLED   (unit back)
 *   UNPAID ──payment window expired──▶ TIMEOUT   (unit back)
 * Every transition is one conditional statement (OrderRepository): only the first of concurrent pay, cancel and
 * timeout finds the order UNPAID. Closing an order and returning its unit to the item commit together. Redis,
 * the sold-out flags and the shopper's socket follow after the commit; each of those steps is idempotent.
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
      await this.mine(userId, orderNo);
      throw new DomainError(ErrorCode.ORDER_NOT_PAYABLE, 'this order can no longer be paid');
    }
    metrics.orders.inc({ event: 'paid' });
    this.logger.info({ uuid: paid.uuid, orderNo }, 'order paid');
    await this.announce(paid, 'PAID');
    return toOrderView(await this.mine(userId, orderNo));
  }

  async cancel(userId: number, orderNo: string): Promise<OrderView> {
    const closed = await this.orders.close(orderNo, 'CANCELLED', userId);
    if (!closed) {
      await this.mine(userId, orderNo);
      throw new DomainError(ErrorCode.ORDER_NOT_CANCELLABLE, 'only an unpaid order can be cancelled');
    }
    metrics.orders.inc({ event: 'cancelled' });
    await this.giveBack(closed, 'CANCELLED');
    return toOrderView(await this.mine(userId, orderNo));
  }

  /**
   * The payment window of an order expired. Left alone if it was paid or cancelled; a redelivered timeout of
   * an order already TIMEOUT repeats the (idempotent) follow-up steps, in case the first attempt died
   * between the commit and them.
   */
  async timeout(orderNo: string): Promise<'timed-out' | 'left-alone'> {
    const closed = await this.orders.close(orderNo, 'TIMEOUT');
    if (closed) {
      metrics.orders.inc({ event: 'timed_out' });
      await this.giveBack(closed, 'TIMEOUT');
      return 'timed-out';
    }
    const current = await this.orders.withStatus(orderNo);
    if (current?.status === 'TIMEOUT') await this.giveBack(current, 'TIMEOUT');
    return 'left-alone';
  }

  /** After the commit: the unit back in Redis, every sold-out flag cleared, the shopper told. */
  private async giveBack(order: ChangedOrder, status: Closing): Promise<void> {
    const released = await this.stock.release(order.seckillGoodId, order.userId, order.uuid);
    await this.broadcast.unitsBack(order.seckillGoodId, status === 'TIMEOUT' ? 'timeout' : 'cancel', order.uuid);
    await this.announce(order, status);
    this.logger.info({ uuid: order.uuid, orderNo: order.orderNo, status, released }, 'order closed; unit returned');
  }

  private async announce(order: ChangedOrder, status: OrderStatusMessage['status']): Promise<void> {
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
