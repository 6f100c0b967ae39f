import { Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { PinoLogger } from 'nestjs-pino';
import { APP_CONFIG, type AppConfig } from '@seckill/config';
import { MESSAGE_VERSION, MessageFormatError, parseOrderPlaced, type OrderPlacedMessage, type OrderResultBatchMessage, type OrderResultEntry, type PaymentWindowBatchMessage, type WindowOrder } from '@seckill/contracts';
import { ConfirmedPublisher, Exchange, Queue, RoutingKey, paymentWindowQueue, type Delivery, type Disposition, QueueHandlers } from '@seckill/messaging';
import { metrics } from '@seckill/observability';
import { StockService } from '@seckill/stock';
import { OrderBatchRepository, type OutcomeRecord } from '@seckill/persistence';
import { decideOrders, type Candidate } from './decide-orders';

/**
 * Turns a batch of pending-order messages into orders:
 *   parse → replay outcomes already recorded → claim the rest in Redis → one transaction → publish every
 *   outcome with a confirm → ack.
 * Nothing is acked before its outcome is committed and confirmed, and a redelivered message never decides
 * twice, even when its copies are in batches handled at the same time (the transaction re-checks under the
 * item's row lock; the unique uuid of order_requests is the last guard). Consumed through the product's one
 * consumer model (libs/infrastructure/messaging QueueConsumer): an outage pauses it, a failing batch is split into single
 * messages, and only a message that fails while everything answers is counted towards its parking lot.
 */
@QueueHandlers()
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

  /** seckill.order.pending, in batches (see consumers.ts). */
  @EventPattern(Queue.PENDING)
  handle(@Payload() batch: readonly Delivery[]): Promise<Disposition[]> {
    return this.handleBatch(batch);
  }

  /**
   * One batch. Unparseable messages are parked; the rest are decided together. A failure of the batch (a
   * dependency down, a bug, one bad message breaking the transaction) is thrown: the consumer tells an outage,
   * waited out, from a failure, which it narrows down by handling the messages one by one.
   */
  readonly handleBatch = async (batch: readonly Delivery[]): Promise<Disposition[]> => {
    const started = performance.now();
    const dispositions: Disposition[] = batch.map(() => 'ack');
    const parsed: OrderPlacedMessage[] = [];
    batch.forEach((delivery, index) => {
      try {
        parsed.push(parseOrderPlaced(delivery.body));
      } catch (err) {
        if (!(err instanceof MessageFormatError)) throw err;
        this.logger.error({ err: err.message, uuid: delivery.uuid }, 'unparseable order message parked');
        dispositions[index] = 'park';
      }
    });
    if (parsed.length === 0) return dispositions;
    const { outcomes, created, failed, abandoned } = await this.decide(parsed);
    await this.publishAll(parsed.flatMap((m) => outcomes.get(m.uuid) ?? []));
    // A batch's shape at a glance (its orders each have their own 'order decided' line).
    this.logger.info(
      { size: batch.length, created, failed, abandoned, duplicates: parsed.length - created - failed - abandoned, parked: batch.length - parsed.length, ms: Math.round(performance.now() - started) },
      'order batch decided',
    );
    return dispositions;
  };

  /**
   * Returns the outcome of every uuid in the batch that has one, recorded now or earlier, and how many were
   * decided now. A request order-api abandoned gets none: its shopper was answered 503 and may retry under the
   * same uuid.
   */
  private async decide(messages: readonly OrderPlacedMessage[]): Promise<{ outcomes: Map<string, OutcomeRecord>; created: number; failed: number; abandoned: number }> {
    // A broker may deliver the same request twice (publisher resend after a reconnect): decide it once.
    const unique = [...new Map(messages.map((m) => [m.uuid, m])).values()];
    const outcomes = await this.repo.recorded(unique.map((m) => m.uuid));
    const fresh = unique.filter((m) => !outcomes.has(m.uuid));
    await this.settleReplays(unique.filter((m) => outcomes.has(m.uuid)), outcomes);
    let created = 0;
    let failed = 0;
    let abandoned = 0;
    if (fresh.length > 0) {
      const claims = await this.stock.claim(fresh.map((m) => ({ itemId: m.seckillGoodId, uuid: m.uuid })));
      const candidates: Candidate[] = [];
      fresh.forEach((m, i) => {
        const claim = claims[i] ?? 'MISSING';
        // order-api gave up on its publish, returned the unit and answered 503 TRY_AGAIN. Recording FAIL here
        // would turn the shopper's retry (same requestId, same uuid) into that FAIL while units are left.
        if (claim === 'ABANDONED') {
          abandoned++;
          this.logger.info({ uuid: m.uuid, seckillGoodId: m.seckillGoodId }, 'abandoned order dropped: order-api answered 503 and returned the unit');
        } else {
          candidates.push({ uuid: m.uuid, userId: m.userId, seckillGoodId: m.seckillGoodId, claim });
        }
      });
      const { decided, replayed } = candidates.length > 0 ? await this.repo.decideAndRecord(candidates, decideOrders) : { decided: [], replayed: [] };
      for (const o of replayed) outcomes.set(o.uuid, o);
      this.logReplays(replayed.map((o) => o.uuid));
      for (const o of decided) {
        outcomes.set(o.uuid, o);
        if (o.status === 'SUCCESS') created++;
        else failed++;
        // At info: accepted orders are bounded by the stock, and this is the line that lets one search for a
        // uuid follow the order through the worker.
        this.logger.info({ uuid: o.uuid, seckillGoodId: o.seckillGoodId, status: o.status, ...(o.status === 'SUCCESS' ? { orderNo: o.orderNo } : { reason: o.reason }) }, 'order decided');
      }
      if (created > 0) metrics.orders.inc({ event: 'created' }, created);
      if (failed > 0) metrics.orders.inc({ event: 'failed' }, failed);
    }
    return { outcomes, created, failed, abandoned };
  }

  /**
   * Requests whose outcome is already recorded. Usually a redelivery; but when Redis lost a request's record,
   * order-api reserved a unit for a retry of it: that unit goes back, and the recorded outcome is replayed.
   * An outcome recorded for another shopper is not sent to this one.
   */
  private async settleReplays(replays: readonly OrderPlacedMessage[], outcomes: Map<string, OutcomeRecord>): Promise<void> {
    this.logReplays(replays.map((m) => m.uuid));
    await Promise.all(
      replays.map(async (m) => {
        if (await this.stock.releaseReplayed(m.seckillGoodId, m.userId, m.uuid)) {
          this.logger.warn({ uuid: m.uuid, seckillGoodId: m.seckillGoodId }, 'request already decided arrived with a new reservation; unit returned');
        }
        const decided = outcomes.get(m.uuid);
        if (decided && decided.userId !== m.userId) {
          outcomes.delete(m.uuid);
          this.logger.warn({ uuid: m.uuid, userId: m.userId }, 'request reuses the uuid of another shopper\'s decided request; dropped');
        }
      }),
    );
  }

  /** A replay means an earlier delivery did not finish (a crash, a lost ack, a publisher resend): worth a look. */
  private logReplays(uuids: Iterable<string>): void {
    for (const uuid of uuids) this.logger.warn({ uuid }, 'redelivered order: replaying its recorded outcome');
  }

  /**
   * Every outcome of the batch, and the payment window of its orders, in at most three confirmed publishes: the
   * successes as one `order.success` message, the failures as one `order.fail` message, and one payment-window
   * message for every SUCCESS. Per order that leaves the broker only the pending message itself (issue 13:
   * one result and one window message per order were two of the three quorum-queue operations per order, and
   * amqplib's framing of them ~32 % of this process's CPU). Replays are included: a crash may have come between
   * commit and these publishes; a duplicate result or timeout is harmless (outcomes are idempotent, each order is
   * closed only once).
   */
  private async publishAll(outcomes: readonly OutcomeRecord[]): Promise<void> {
    const seen = new Set<string>();
    const successes: OrderResultEntry[] = [];
    const failures: OrderResultEntry[] = [];
    const window: WindowOrder[] = [];
    for (const o of outcomes) {
      if (seen.has(o.uuid)) continue;
      seen.add(o.uuid);
      const base = { uuid: o.uuid, userId: o.userId, seckillGoodId: o.seckillGoodId };
      if (o.status === 'SUCCESS') {
        successes.push({ ...base, status: 'SUCCESS', orderNo: o.orderNo });
        window.push({ ...base, orderNo: o.orderNo });
      } else {
        failures.push({ ...base, status: 'FAIL', reason: o.reason });
      }
    }
    const decidedAt = new Date().toISOString();
    const published: Promise<void>[] = [];
    for (const [key, results] of [[RoutingKey.ORDER_SUCCESS, successes], [RoutingKey.ORDER_FAIL, failures]] as const) {
      if (results.length === 0) continue;
      const message: OrderResultBatchMessage = { version: MESSAGE_VERSION, type: 'order.results', decidedAt, results };
      published.push(this.publisher.publish(Exchange.RESULT, key, message));
    }
    if (window.length > 0) {
      const message: PaymentWindowBatchMessage = { version: MESSAGE_VERSION, orders: window };
      published.push(this.publisher.publish(Exchange.PAYMENT, this.paymentWindowKey, message));
    }
    await Promise.all(published);
  }
}
