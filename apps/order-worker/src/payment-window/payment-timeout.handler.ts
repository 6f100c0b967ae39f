import { Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { PinoLogger } from 'nestjs-pino';
import { APP_CONFIG, type AppConfig } from '@seckill/config';
import { MESSAGE_VERSION, parsePaymentWindows, type PaymentWindowBatchMessage, type WindowOrder } from '@seckill/contracts';
import { ConfirmedPublisher, Exchange, Queue, parseOrPark, paymentWindowQueue, type Delivery, type Disposition, QueueHandlers } from '@seckill/messaging';
import { OrderLifecycleService } from '@seckill/order-lifecycle';
import { eachOrder } from '../batch/each-order';

/**
 * A payment window expired (dead-lettered from its payment-window queue into seckill.order.timeout): the orders of
 * one decided batch, or one order (the shape of earlier releases, still accepted while such messages wait out their
 * window).
 *
 * The orders are closed one at a time, each through the lifecycle's own transition: one conditional statement
 * (UNPAID and pay_deadline <= now()) that commits the TIMEOUT, the unit back and the status push together, so an
 * order is closed at most once whoever else (pay, cancel, another copy of this message) races it, and every step
 * after that commit is idempotent. A fault part-way through therefore needs nothing undone: the message is tried
 * again whole, the orders already closed are left alone (their idempotent follow-up repeated), the rest are
 * closed. One transaction for the whole batch would need a second close path beside the lifecycle's, and one
 * order that cannot be closed would hold back all the others; timeouts are spread over time and are not the hot
 * path.
 */
@QueueHandlers()
export class PaymentTimeoutHandler {
  constructor(
    private readonly lifecycle: OrderLifecycleService,
    private readonly publisher: ConfirmedPublisher,
    private readonly logger: PinoLogger,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    logger.setContext('PaymentTimeout');
    this.windowKey = paymentWindowQueue(config.PAYMENT_WINDOW_SECONDS).routingKey;
  }

  private readonly windowKey: string;

  @EventPattern(Queue.TIMEOUT)
  async handle(@Payload() delivery: Delivery): Promise<Disposition> {
    const orders = parseOrPark(delivery, parsePaymentWindows, this.logger);
    if (orders === 'park') return 'park';
    const notDue: WindowOrder[] = [];
    // One at a time: each close is a transaction on the pool the pending-order batches use, and up to
    // TIMEOUT_PREFETCH messages are handled at once.
    const failure = await eachOrder(
      orders,
      async (order) => {
        const outcome = await this.lifecycle.timeout(order.orderNo);
        this.logger.info({ uuid: order.uuid, orderNo: order.orderNo, outcome }, 'payment window expired');
        if (outcome === 'not-due') notDue.push(order);
      },
      { concurrency: 1, logger: this.logger, failedMessage: 'payment window expired, but the order could not be closed' },
    );
    // Still payable: the window that expired was shorter than these orders' deadline. Their window starts again
    // (confirmed before this copy is acked), so an order times out no earlier than promised and never stays open.
    // Also before a failure is thrown: the message may end in its parking lot, and a duplicate window is harmless.
    if (notDue.length > 0) {
      const window: PaymentWindowBatchMessage = { version: MESSAGE_VERSION, orders: notDue };
      await this.publisher.publish(Exchange.PAYMENT, this.windowKey, window);
    }
    if (failure) throw failure.err;
    return 'ack';
  }
}
