import { EventPattern, Payload } from '@nestjs/microservices';
import { PinoLogger } from 'nestjs-pino';
import { parsePaymentWindow } from '@seckill/contracts';
import { Queue, parseOrPark, type Delivery, type Disposition, QueueHandlers } from '@seckill/messaging';
import { OrderLifecycleService } from '@seckill/order-lifecycle';

/** An order's payment window expired (dead-lettered from its payment-window queue into seckill.order.timeout). */
@QueueHandlers()
export class PaymentTimeoutHandler {
  constructor(
    private readonly lifecycle: OrderLifecycleService,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext('PaymentTimeout');
  }

  @EventPattern(Queue.TIMEOUT)
  async handle(@Payload() delivery: Delivery): Promise<Disposition> {
    const message = parseOrPark(delivery, parsePaymentWindow, this.logger);
    if (message === 'park') return 'park';
    const outcome = await this.lifecycle.timeout(message.orderNo);
    this.logger.info({ uuid: message.uuid, orderNo: message.orderNo, outcome }, 'payment window expired');
    return 'ack';
  }
}
