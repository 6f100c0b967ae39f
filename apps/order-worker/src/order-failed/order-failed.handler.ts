import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { PinoLogger } from 'nestjs-pino';
import { MESSAGE_VERSION, parseOrderResult, type StockBackMessage } from '@seckill/contracts';
import { ConfirmedPublisher, Exchange, RoutingKey, parseOrPark, type Delivery, type Disposition } from '@seckill/messaging';
import { StockService } from '@seckill/stock';

/**
 * order.fail → give the Redis reservation back and tell every order-api instance to clear its sold-out flag.
 * The release is idempotent (it only removes the reservation that still belongs to this uuid), so replays
 * and redeliveries return at most one unit. The broadcast is sent every time: a crash between release and
 * broadcast must not leave flags set.
 */
@Controller()
export class OrderFailedHandler {
  constructor(
    private readonly stock: StockService,
    private readonly publisher: ConfirmedPublisher,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext('OrderFailed');
  }

  /** Consumed from seckill.order.fail.release through AmqpQueueServer (see main.ts). */
  @EventPattern(RoutingKey.ORDER_FAIL)
  async handle(@Payload() delivery: Delivery): Promise<Disposition> {
    const result = parseOrPark(delivery, parseOrderResult, this.logger);
    if (result === 'park') return 'park';
    if (result.status !== 'FAIL') return 'ack';
    const released = await this.stock.release(result.seckillGoodId, result.userId, result.uuid);
    const message: StockBackMessage = { version: MESSAGE_VERSION, seckillGoodId: result.seckillGoodId, reason: 'order.fail' };
    await this.publisher.publish(Exchange.STOCK, '', message, { uuid: result.uuid });
    this.logger.info({ uuid: result.uuid, seckillGoodId: result.seckillGoodId, reason: result.reason, released }, 'failed order: reservation released');
    return 'ack';
  }
}
