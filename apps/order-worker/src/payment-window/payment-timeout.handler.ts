import { Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { PinoLogger } from 'nestjs-pino';
import { APP_CONFIG, type AppConfig } from '@seckill/config';
import { parsePaymentWindow } from '@seckill/contracts';
import { ConfirmedPublisher, Exchange, Queue, parseOrPark, paymentWindowQueue, type Delivery, type Disposition, QueueHandlers } from '@seckill/messaging';
import { OrderLifecycleService } from '@seckill/order-lifecycle';

/** An order's payment window expired (dead-lettered from its payment-window queue into seckill.order.timeout). */
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
    const message = parseOrPark(delivery, parsePaymentWindow, this.logger);
    if (message === 'park') return 'park';
    const outcome = await this.lifecycle.timeout(message.orderNo);
    this.logger.info({ uuid: message.uuid, orderNo: message.orderNo, outcome }, 'payment window expired');
    // Still payable: the window that expired was shorter than the order's deadline. Its window starts again
    // (confirmed before this copy is acked), so the order times out no earlier than promised and never stays open.
    if (outcome === 'not-due') await this.publisher.publish(Exchange.PAYMENT, this.windowKey, message, { uuid: message.uuid });
    return 'ack';
  }
}
