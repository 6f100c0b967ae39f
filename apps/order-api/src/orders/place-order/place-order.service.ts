import { Inject, Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { APP_CONFIG, type AppConfig } from '@seckill/config';
import { DomainError, ErrorCode, MESSAGE_VERSION, type OrderAccepted, type OrderPlacedMessage } from '@seckill/contracts';
import { ConfirmedPublisher, Exchange, RoutingKey, StockBroadcast } from '@seckill/messaging';
import { metrics } from '@seckill/observability';
import { StockService, type ReserveOutcome } from '@seckill/stock';
import { SaleItemsService } from '../../sale-items/sale-items.service';
import { SaleCache } from '../../sale-items/sale-cache';
import { RequestLimits } from '../../limits/request-limits';
import { BoundedPool } from '../../concurrency/bounded-pool';
import { RateLimiter } from './rate-limiter';
import { REJECT, refusalFromMemory } from './order-refusals';
import { requestUuid } from './request-uuid';
import { SoldOutFlags } from './sold-out-flags';
import { RoomService } from '../../waiting-room/room.service';

/**
 * The order path inside order-api, cheapest check first:
 *   1. sale window, local sold-out flag, this instance's per-user count   (memory: most flash-sale requests end here)
 *   2. the shared limits per user and per address (Redis, one pipelined round trip for both); with the item's
 *      waiting room on, the admission token is spent here (one more Redis call)
 *   3. one Lua call reserves the unit in Redis        (atomic: stock, repeat buyer, idempotency)
 *   4. persistent publish with a publisher confirm    (the request now survives any crash)
 *   5. the request marked QUEUED, then 202 {uuid}
 * A publish that is not confirmed in time gives the unit back and answers 503: nothing is left half-done. A
 * dependency that is down answers 503 TRY_AGAIN; an item whose Redis state was lost answers 503 until the
 * orders queued before are decided (docs/reliability.md).
 */
@Injectable()
export class PlaceOrderService {
  private readonly limiter: RateLimiter;
  /** See REDIS_TURNS. */
  private readonly redisTurns = new BoundedPool(REDIS_TURNS, REDIS_TURN_QUEUE);
  /** See FLAGGED_WAVE. */
  private wave: Promise<void> = Promise.resolve();
  private inWave = FLAGGED_WAVE;

  constructor(
    private readonly saleCache: SaleCache,
    private readonly flags: SoldOutFlags,
    private readonly stock: StockService,
    private readonly saleItems: SaleItemsService,
    private readonly broadcast: StockBroadcast,
    private readonly publisher: ConfirmedPublisher,
    private readonly logger: PinoLogger,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly limits: RequestLimits,
    private readonly rooms: RoomService,
  ) {
    this.limiter = new RateLimiter(config.RATE_LIMITS === 'on' ? config.ORDER_RATE_LIMIT_PER_SECOND : Number.POSITIVE_INFINITY);
    logger.setContext('PlaceOrder');
  }

  async place(userId: number, itemId: number, requestId: string | undefined, clientIp: string, admissionToken?: string): Promise<OrderAccepted> {
    const cached = this.saleCache.get(itemId);
    const sale = cached instanceof Promise ? await cached : cached;
    // The fast lane (order-fast-lane.ts) answers these before Nest when the sale is in memory; here for the first
    // request of an item not cached yet, and for a flag set while the request was on its way. The sold-out flood
    // is answered before any limit, so it never costs a Redis call.
    const refusal = refusalFromMemory(sale, this.flags, itemId, admissionToken);
    if (refusal) throw refusal;
    const admission = sale?.room.enabled ? admissionToken : undefined;
    // This instance's own per-user count stays as a free first filter: a user over the budget on one instance alone
    // is over the shared budget too (same rule, fewer requests counted), so its 429 is never wrong, and a client
    // hammering one instance is refused without a Redis round trip. The shared limits below hold across instances.
    if (!this.limiter.take(userId)) throw REJECT.rateLimited;
    const turn = this.redisTurns.tryRun(() => this.reserveInTurn(userId, itemId, requestId, clientIp, admission));
    if (!turn) throw REJECT.unavailable;
    const { uuid, outcome } = await turn;
    switch (outcome.kind) {
      case 'RESERVED':
        return this.publish({ version: MESSAGE_VERSION, uuid, userId, seckillGoodId: itemId, placedAt: new Date().toISOString() });
      case 'FOREIGN':
        throw new DomainError(ErrorCode.VALIDATION_FAILED, 'requestId is already used by another request; choose a new one');
      case 'SOLD_OUT':
        throw REJECT.soldOut;
      case 'FLAGGED':
        await this.flaggedWave();
        throw REJECT.soldOut;
      case 'ALREADY_ORDERED':
        throw REJECT.alreadyOrdered;
      case 'DUPLICATE':
        // The same requestId again: same uuid, no second reservation. While the first attempt's publish is
        // still unconfirmed its fate is unknown, so the client is asked to retry shortly.
        if (outcome.state === 'PUBLISHING') throw new DomainError(ErrorCode.TRY_AGAIN, 'this request is still being queued; retry');
        return { uuid, status: 'QUEUED' };
      case 'RECOVERING':
        // Redis lost this item's state: promising a unit now could promise one an order still queued holds.
        throw REJECT.recovering;
      case 'NOT_LOADED':
        throw new DomainError(ErrorCode.TRY_AGAIN, 'stock is being loaded; retry');
    }
  }

  /**
   * One request's Redis work (the shared limits, then the reservation), run in one of the instance's turns. The
   * sold-out flag is read again first: a request that waited for its turn while another found the item sold out
   * is answered from memory, without a Redis call.
   */
  private async reserveInTurn(userId: number, itemId: number, requestId: string | undefined, clientIp: string, admission: string | undefined): Promise<Turn> {
    const uuid = requestUuid(requestId);
    if (this.flags.isSoldOut(itemId)) {
      metrics.reservations.inc({ outcome: 'flagged' });
      return { uuid, outcome: { kind: 'FLAGGED' } };
    }
    // Should Redis not answer, the limits count on this instance alone (SharedLimit) rather than fail: the
    // reservation right after needs Redis anyway and answers 503 TRY_AGAIN itself, so failing here too would add
    // nothing but a second way to refuse.
    await this.limits.order(userId, clientIp);
    // With the room on, the token is spent on this request before any unit is: a refused token reserves nothing.
    if (admission !== undefined) await this.rooms.admit(itemId, userId, admission, uuid);
    const generation = this.flags.generation(itemId);
    let outcome = await this.reserve(itemId, userId, uuid);
    if (outcome.kind === 'NOT_LOADED') {
      const loaded = await this.saleItems.ensureLoaded(itemId).catch((err: unknown) => {
        if (err instanceof DomainError) throw err;
        this.logger.warn({ err, seckillGoodId: itemId }, 'could not load stock into Redis');
        throw REJECT.unavailable;
      });
      outcome = loaded === 'held' ? { kind: 'RECOVERING' } : await this.reserve(itemId, userId, uuid);
    }
    metrics.reservations.inc({ outcome: RESERVATION_LABEL[outcome.kind] });
    // Set before the turn passes on, so that the requests waiting behind this one see it.
    if (outcome.kind === 'SOLD_OUT') this.flags.markSoldOut(itemId, generation);
    return { uuid, outcome };
  }

  /**
   * Resolves when this request, answered from the flag after waiting for its turn, may be answered: the first
   * FLAGGED_WAVE of them one turn of the event loop from now, the next ones a turn later, and so on.
   */
  private flaggedWave(): Promise<void> {
    if (this.inWave >= FLAGGED_WAVE) {
      this.inWave = 0;
      this.wave = this.wave.then(() => new Promise<void>((resolve) => setImmediate(resolve)));
    }
    this.inWave++;
    return this.wave;
  }

  private async reserve(itemId: number, userId: number, uuid: string): Promise<ReserveOutcome> {
    try {
      return await this.stock.reserve(itemId, userId, uuid);
    } catch (err) {
      this.logger.warn({ err, uuid, seckillGoodId: itemId }, 'Redis reservation failed');
      throw REJECT.unavailable;
    }
  }

  private async publish(message: OrderPlacedMessage): Promise<OrderAccepted> {
    const { uuid, userId, seckillGoodId } = message;
    try {
      await this.publisher.publish(Exchange.ORDER, RoutingKey.ORDER_PENDING, message, { uuid });
    } catch (err) {
      return this.giveUp(message, err);
    }
    // The 202 is a promise, so it waits for the request to leave PUBLISHING: a reservation still PUBLISHING
    // after a crash here would be released by the stranded sweeper, and the message dropped.
    let state: string;
    try {
      state = await this.stock.markQueued(seckillGoodId, userId, uuid);
    } catch (err) {
      // The message is in the queue but its record says PUBLISHING: the shopper's retry (same requestId) gets the
      // request's real fate — 202 once the worker claims it, or a fresh attempt if the sweeper releases it.
      this.logger.warn({ err, uuid }, 'publish confirmed but the request could not be marked queued; answered 503');
      throw REJECT.unavailable;
    }
    if (state === 'ABANDONED') {
      this.logger.warn({ uuid, seckillGoodId }, 'publish confirmed after the stranded sweeper released the reservation; the worker drops it');
      throw new DomainError(ErrorCode.TRY_AGAIN, 'could not queue the order in time; nothing was reserved, retry');
    }
    this.logger.info({ uuid, userId, seckillGoodId }, 'order queued');
    return { uuid, status: 'QUEUED' };
  }

  /**
   * The broker did not confirm in time. The message may still arrive later, so the unit is released only if
   * the worker has not claimed the request yet; if it has, the order is in and the answer is 202 after all.
   */
  private async giveUp(message: OrderPlacedMessage, cause: unknown): Promise<OrderAccepted> {
    const { uuid, userId, seckillGoodId } = message;
    let abandoned: boolean;
    try {
      abandoned = await this.stock.abandon(seckillGoodId, userId, uuid);
    } catch (err) {
      // The reservation stays PUBLISHING; the stranded sweeper in order-worker releases it unless the message
      // arrives and is claimed first.
      this.logger.warn({ err, cause, uuid }, 'publish unconfirmed and reservation could not be released; left to the stranded sweeper');
      throw REJECT.unavailable;
    }
    if (!abandoned) {
      this.logger.warn({ uuid, cause }, 'gave up on the order but the worker had already claimed it');
      return { uuid, status: 'QUEUED' };
    }
    this.logger.warn({ uuid, userId, seckillGoodId, err: cause }, 'order not queued; reservation released');
    // The unit is back: instances that answered SOLD_OUT meanwhile must clear their flags (best effort; the
    // flags also expire, and the broker may be what failed).
    this.broadcast.unitsBack(seckillGoodId, 'order.fail', uuid).catch(() => undefined);
    throw new DomainError(ErrorCode.TRY_AGAIN, 'could not queue the order; nothing was reserved, retry');
  }
}

/** A request that waited for its turn and found the item flagged sold out meanwhile. */
type TurnOutcome = ReserveOutcome | { kind: 'FLAGGED' };

interface Turn {
  uuid: string;
  outcome: TurnOutcome;
}

/**
 * At most this many orders per instance are in their Redis stage (shared limits + reservation) at once; the rest
 * wait in FIFO order. Without it a burst sent every one of its 10,000 requests per instance to Redis in the same
 * turn of the event loop, twice (limits, then the Lua reservation), and the 19,000 SOLD_OUT answers came back as
 * one lump (reserve SOLD_OUT took p50 13 s, loaded machine). With turns the first requests finish first, and once
 * one of them meets SOLD_OUT the waiting ones are answered from the flag: Redis calls per 6,000-shopper burst fell
 * from 12,000 to 1,024–3,458 (loadtest timeline, docs/loadtest.md).
 */
const REDIS_TURNS = 128;
/** Beyond this many waiting, a request is refused with 503 TRY_AGAIN rather than queued without end. */
const REDIS_TURN_QUEUE = 50_000;
/**
 * When an item sells out, the requests waiting for a turn are all answered from the flag, and answering them in
 * one go blocked order-api's event loop for 2–3.5 s (~2,700 409s, loaded machine), while the confirms and Redis
 * replies the winners' 202s wait for sat unread (loadtest timeline: "marked QUEUED" took 3.5 s, "publish
 * confirmed" 2 s). They are answered in waves of this many, with a turn of the event loop (its I/O) in between.
 */
const FLAGGED_WAVE = 256;

const RESERVATION_LABEL: Record<ReserveOutcome['kind'], string> = {
  RESERVED: 'reserved',
  SOLD_OUT: 'sold_out',
  ALREADY_ORDERED: 'already_ordered',
  DUPLICATE: 'duplicate',
  FOREIGN: 'foreign',
  RECOVERING: 'recovering',
  NOT_LOADED: 'not_loaded',
};
