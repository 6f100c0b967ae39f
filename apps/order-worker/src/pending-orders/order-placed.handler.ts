import { Inject, Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { APP_CONFIG, type AppConfig } from '@seckill/config';
import { paymentWindowQueue } from '@seckill/messaging';
import { MESSAGE_VERSION, MessageFormatError, parseOrderPlaced, type OrderPlacedMessage, type OrderResultMessage, type PaymentWindowMessage } from '@seckill/contracts';
import { ConfirmedPublisher, Exchange, RoutingKey, type Delivery, type Disposition } from '@seckill/messaging';
import { metrics } from '@seckill/observability';
import { StockService } from '@seckill/stock';
import { OrderBatchRepository, type RecordedOutcome } from './order-batch.repository';

/**
 * Turns a batch of pending-order messages into orders:
 *   parse → replay outcomes already recorded → claim the rest in Redis → one transaction → publish every
 *   outcome with a confirm → ack.
 * Nothing is acked before its outcome is committed and confirmed, and a redelivered message never decides
 * twice, even when its copies are in batches handled at the same time (the transaction re-checks under the
 * item's row lock; the unique uuid of order_requests is the last guard). If the batch transaction fails, each message is retried alone so one bad message cannot hold the
 * others hostage; a message that fails alone is retried until the delivery limit parks it.
 */
@Injectable()
export class OrderPlacedHandler {
  constructor(
    private readonly repo: OrderBatchRepository,
    private readonly stock: StockService,
    private readonly publisher: ConfirmedPublisher,
    private readonly logger: PinoLogger,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    logger.setContext('OrderPlaced');
    this.paymentWindowKey = paymentWindowQueue(config.PAYMENT_WINDOW_SECONDS).routingKey;
  }

  private readonly paymentWindowKey: string;

  readonly handleBatch = async (batch: readonly Delivery[]): Promise<Disposition[]> => {
    const dispositions: Disposition[] = batch.map(() => 'retry');
    const parsed: { index: number; message: OrderPlacedMessage }[] = [];
    batch.forEach((delivery, index) => {
      try {
        parsed.push({ index, message: parseOrderPlaced(delivery.body) });
      } catch (err) {
        if (!(err instanceof MessageFormatError)) throw err;
        this.logger.error({ err: err.message, uuid: delivery.uuid }, 'unparseable order message parked');
        dispositions[index] = 'park';
      }
    });
    if (parsed.length === 0) return dispositions;

    try {
      const outcomes = await this.decide(parsed.map((p) => p.message));
      await this.publishAll(parsed.map((p) => outcomes.get(p.message.uuid)!));
      for (const p of parsed) dispositions[p.index] = 'ack';
      return dispositions;
    } catch (err) {
      if (parsed.length === 1) {
        this.logger.error({ err, uuid: parsed[0]!.message.uuid, deliveries: batch[parsed[0]!.index]!.previousDeliveries + 1 }, 'order failed to process; will retry');
        return dispositions;
      }
      this.logger.warn({ err, size: parsed.length }, 'batch failed; retrying its messages one by one');
      for (const p of parsed) {
        const [d] = await this.handleBatch([batch[p.index]!]);
        dispositions[p.index] = d!;
      }
      return dispositions;
    }
  };

  /** Returns the outcome of every uuid in the batch, recorded now or earlier. */
  private async decide(messages: readonly OrderPlacedMessage[]): Promise<Map<string, RecordedOutcome>> {
    // A broker may deliver the same request twice (publisher resend after a reconnect): decide it once.
    const unique = [...new Map(messages.map((m) => [m.uuid, m])).values()];
    const outcomes = await this.repo.recorded(unique.map((m) => m.uuid));
    const fresh = unique.filter((m) => !outcomes.has(m.uuid));
    for (const uuid of outcomes.keys()) this.logger.info({ uuid }, 'redelivered order: replaying its recorded outcome');
    if (fresh.length > 0) {
      const claims = await this.stock.claim(fresh.map((m) => m.uuid));
      const { decided, replayed } = await this.repo.decideAndRecord(
        fresh.map((m, i) => ({ uuid: m.uuid, userId: m.userId, seckillGoodId: m.seckillGoodId, claim: claims[i] ?? 'MISSING' })),
      );
      for (const o of replayed) {
        outcomes.set(o.uuid, o);
        this.logger.info({ uuid: o.uuid }, 'redelivered order: replaying its recorded outcome');
      }
      for (const o of decided) {
        outcomes.set(o.uuid, o);
        metrics.orders.inc({ event: o.status === 'SUCCESS' ? 'created' : 'failed' });
        this.logger.info({ uuid: o.uuid, seckillGoodId: o.seckillGoodId, status: o.status, ...(o.status === 'SUCCESS' ? { orderNo: o.orderNo } : { reason: o.reason }) }, 'order decided');
      }
    }
    return outcomes;
  }

  private async publishAll(outcomes: readonly RecordedOutcome[]): Promise<void> {
    const decidedAt = new Date().toISOString();
    const seen = new Set<string>();
    await Promise.all(
      outcomes
        .filter((o) => !seen.has(o.uuid) && seen.add(o.uuid))
        .map((o) => {
          const message: OrderResultMessage = {
            version: MESSAGE_VERSION,
            type: 'order.result',
            uuid: o.uuid,
            userId: o.userId,
            seckillGoodId: o.seckillGoodId,
            status: o.status,
            ...(o.status === 'SUCCESS' ? { orderNo: o.orderNo } : { reason: o.reason }),
            decidedAt,
          };
          const key = o.status === 'SUCCESS' ? RoutingKey.ORDER_SUCCESS : RoutingKey.ORDER_FAIL;
          const published = this.publisher.publish(Exchange.RESULT, key, message, { uuid: o.uuid });
          if (o.status !== 'SUCCESS') return published;
          // The payment window starts with the order (also on a replay: a crash may have come between commit
          // and this publish; a duplicate timeout is harmless, the order is closed only once).
          const window: PaymentWindowMessage = { version: MESSAGE_VERSION, uuid: o.uuid, orderNo: o.orderNo, userId: o.userId, seckillGoodId: o.seckillGoodId };
          return Promise.all([published, this.publisher.publish(Exchange.PAYMENT, this.paymentWindowKey, window, { uuid: o.uuid })]);
        }),
    );
  }
}
