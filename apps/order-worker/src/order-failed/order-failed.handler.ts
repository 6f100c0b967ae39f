import { EventPattern, Payload } from '@nestjs/microservices';
import { PinoLogger } from 'nestjs-pino';
import { FailReason, parseOrderResults, type OrderResultMessage } from '@seckill/contracts';
import { Queue, QueueHandlers, StockBroadcast, parseOrPark, type Delivery, type Disposition } from '@seckill/messaging';
import { StockService } from '@seckill/stock';
import { eachOrder } from '../batch/each-order';

/**
 * order.fail → for each failed request: end the Redis reservation, and when a real unit came back tell every
 * order-api instance to clear its sold-out flag. The release is idempotent (it only removes the reservation that still belongs to
 * this uuid), so replays and redeliveries return at most one unit. The broadcast is sent on every delivery that
 * may return a unit: a crash between release and broadcast must not leave flags set.
 *
 * A SOLD_OUT failure returns nothing: PostgreSQL had no unit for it, so the unit Redis handed out was a phantom
 * (Redis had drifted above the truth, e.g. after losing state). Returning it would promise it to the next
 * shopper, who would fail the same way, and so on for the rest of the flood.
 */
@QueueHandlers()
export class OrderFailedHandler {
  constructor(
    private readonly stock: StockService,
    private readonly broadcast: StockBroadcast,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext('OrderFailed');
  }

  /** One outcome, or the outcomes of one decided batch (what order-worker publishes now): each FAIL settled. */
  @EventPattern(Queue.FAIL_RELEASE)
  async handle(@Payload() delivery: Delivery): Promise<Disposition> {
    const results = parseOrPark(delivery, parseOrderResults, this.logger);
    if (results === 'park') return 'park';
    // A handful at once: Redis calls, each idempotent per uuid, so the message may come back whole.
    const failure = await eachOrder(results, (result) => this.settle(result), { concurrency: 16, logger: this.logger, failedMessage: 'failed order: reservation not released' });
    if (failure) throw failure.err;
    return 'ack';
  }

  private async settle(result: OrderResultMessage): Promise<void> {
    if (result.status !== 'FAIL') return;
    const realUnit = result.reason !== FailReason.SOLD_OUT;
    const released = await this.stock.release(result.seckillGoodId, result.userId, result.uuid, realUnit);
    if (realUnit) await this.broadcast.unitsBack(result.seckillGoodId, 'order.fail', result.uuid);
    this.logger.info({ uuid: result.uuid, seckillGoodId: result.seckillGoodId, reason: result.reason, released }, realUnit ? 'failed order: reservation released' : 'failed order: phantom reservation ended, no unit returned');
  }
}
