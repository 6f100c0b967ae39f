import { Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { DomainError, ErrorCode } from '@seckill/contracts';
import { metrics } from '@seckill/observability';
import { SaleItemRepository } from '@seckill/persistence';
import { StockService, type ReconcileMode } from '@seckill/stock';

export interface ReconcileReport {
  before: { redis: number | null; db: number };
  after: { redis: number; db: number };
  repaired: boolean;
}

/** How a missing counter was dealt with. */
export type LoadOutcome =
  /** it was there after all (another process loaded it) */
  | 'present'
  /** first load of the item: nothing can be in flight, so PostgreSQL alone tells the truth */
  | 'loaded'
  /** Redis lost a counter it had: the item is held until the orders queued before are decided */
  | 'held';

/**
 * Every PostgreSQL → Redis stock load goes through here: an item's first load, a hold when Redis lost a counter
 * it had, the periodic repair, and the release of a held item. Redis agrees with PostgreSQL when: counter = units
 * left in PostgreSQL minus reservations still in flight; buyers = live orders plus those reservations. The
 * snapshot is read at one instant (SaleItemRepository.snapshot) and written by one Lua script, so neither side
 * moves halfway through.
 *
 * A counter that is missing is never simply rebuilt: if the item had been loaded before, Redis lost its state,
 * and with it the reservations whose orders are still queued — a rebuild from PostgreSQL alone would promise
 * their units again (docs/reliability.md, "Redis restarted empty"). Such an item is held (fence-stock.lua) and
 * released by order-worker's FenceLifter once every order queued before has been decided.
 */
@Injectable()
export class StockSync {
  constructor(
    private readonly items: SaleItemRepository,
    private readonly stock: StockService,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext('StockSync');
  }

  /**
   * 'reconcile': a loaded item that is not held (a held one is left to the lift: TRY_AGAIN; a missing counter is
   * loaded or held first, then reported). 'lift': release a held item (the caller has seen the queues drained).
   */
  async reconcile(itemId: number, mode: ReconcileMode = 'reconcile'): Promise<ReconcileReport> {
    const snapshot = await this.items.snapshot(itemId);
    if (!snapshot) throw new DomainError(ErrorCode.GOOD_NOT_FOUND, `no sale item ${itemId}`);
    const r = await this.stock.reconcile(itemId, mode, snapshot.stockLeft, snapshot.live, snapshot.decided);
    if (r.status === 'MISSING' && mode === 'reconcile') {
      if ((await this.ensureLoaded(itemId)) === 'held') throw held(itemId);
      return this.reconcile(itemId, mode);
    }
    if (r.status === 'HELD') throw held(itemId);
    if (r.status === 'NOT_HELD') throw new DomainError(ErrorCode.TRY_AGAIN, `sale item ${itemId} is no longer held`);
    const after = r.after ?? snapshot.stockLeft;
    const report: ReconcileReport = {
      before: { redis: r.before, db: snapshot.stockLeft },
      after: { redis: after, db: snapshot.stockLeft },
      repaired: r.before !== after,
    };
    const drift = r.before === null ? null : r.before - after;
    metrics.stockDrift.set({ seckill_good_id: String(itemId) }, drift ?? 0);
    const log = { seckillGoodId: itemId, mode, redisBefore: r.before, redisAfter: after, db: snapshot.stockLeft, inFlight: r.inFlight, drift };
    if (mode === 'lift') this.logger.warn(log, 'held item released: Redis rebuilt from PostgreSQL after every queued order was decided');
    else if (report.repaired) this.logger.warn(log, 'stock drift repaired');
    else this.logger.debug(log, 'stock in agreement');
    return report;
  }

  /**
   * The counter is missing: load it if this is the item's first load, else hold the item. Decided under the
   * item's row lock, so concurrent callers (every order-api instance meets the missing counter at once) agree.
   */
  ensureLoaded(itemId: number): Promise<LoadOutcome> {
    return this.items.withLoadLock(itemId, async (lock) => {
      if (!lock) throw new DomainError(ErrorCode.GOOD_NOT_FOUND, `no sale item ${itemId}`);
      const [left] = await this.stock.stockLeft([itemId]);
      if (left !== null && left !== undefined) return 'present';
      if (!lock.loadedBefore) {
        const live = await lock.liveBuyers();
        // Marked first: if the commit fails after the load, the worst case is a hold later, never a double load.
        await lock.markLoaded();
        const loaded = await this.stock.load(itemId, lock.stockLeft, live);
        if (loaded) this.logger.info({ seckillGoodId: itemId, stockLeft: lock.stockLeft, buyers: live.length }, 'stock loaded into Redis');
        return loaded ? 'loaded' : 'present';
      }
      if (await this.stock.fence(itemId)) {
        // seckill_stock_fenced is order-worker's (FenceLifter reads every hold from Redis): a gauge set here, in
        // whichever process met the missing counter, would never be cleared.
        this.logger.warn({ seckillGoodId: itemId }, 'Redis lost this item\'s stock: held until the orders queued before are decided');
        return 'held';
      }
      return 'present';
    });
  }

  /** Items on sale now (or soon), the ones whose counters matter. */
  liveItems(): Promise<number[]> {
    return this.items.liveIds();
  }

  async missingCounters(ids: readonly number[]): Promise<number[]> {
    const left = await this.stock.stockLeft(ids);
    return ids.filter((_, i) => left[i] === null);
  }
}

function held(itemId: number): DomainError {
  return new DomainError(ErrorCode.TRY_AGAIN, `sale item ${itemId} is held: Redis lost its state and orders queued before are still being decided`);
}
