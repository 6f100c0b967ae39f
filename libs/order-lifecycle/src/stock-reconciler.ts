import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { PinoLogger } from 'nestjs-pino';
import type { DataSource } from 'typeorm';
import { DomainError, ErrorCode, LIVE_ORDER_STATUSES } from '@seckill/contracts';
import { metrics } from '@seckill/observability';
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
 * Makes Redis agree with PostgreSQL for one item: counter = units left in PostgreSQL minus reservations still
 * in flight; buyers = live orders plus those reservations. The snapshot is read in one REPEATABLE READ
 * transaction and written by one Lua script, so neither side moves halfway through.
 *
 * A counter that is missing is never simply rebuilt: if the item had been loaded before, Redis lost its state,
 * and with it the reservations whose orders are still queued — a rebuild from PostgreSQL alone would promise
 * their units again (docs/reliability.md, "Redis restarted empty"). Such an item is held (fence-stock.lua) and
 * released by order-worker's FenceLifter once every order queued before has been decided.
 */
@Injectable()
export class StockReconciler {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly stock: StockService,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext('Reconcile');
  }

  /**
   * 'reconcile': a loaded item that is not held (a held one is left to the lift: TRY_AGAIN; a missing counter is
   * loaded or held first, then reported). 'lift': release a held item (the caller has seen the queues drained).
   */
  async reconcile(goodId: number, mode: ReconcileMode = 'reconcile'): Promise<ReconcileReport> {
    const snapshot = await this.snapshot(goodId);
    const r = await this.stock.reconcile(
      goodId,
      mode,
      snapshot.left,
      snapshot.live.map((l) => ({ userId: Number(l.user_id), uuid: l.uuid })),
      snapshot.decided.map((d) => d.uuid),
    );
    if (r.status === 'MISSING' && mode === 'reconcile') {
      const outcome = await this.ensureLoaded(goodId);
      if (outcome === 'held') throw held(goodId);
      return this.reconcile(goodId, mode);
    }
    if (r.status === 'HELD') throw held(goodId);
    if (r.status === 'NOT_HELD') throw new DomainError(ErrorCode.TRY_AGAIN, `sale item ${goodId} is no longer held`);
    const after = r.after ?? snapshot.left;
    const report: ReconcileReport = {
      before: { redis: r.before, db: snapshot.left },
      after: { redis: after, db: snapshot.left },
      repaired: r.before !== after,
    };
    const drift = r.before === null ? null : r.before - after;
    metrics.stockDrift.set({ seckill_good_id: String(goodId) }, drift ?? 0);
    const log = { seckillGoodId: goodId, mode, redisBefore: r.before, redisAfter: after, db: snapshot.left, inFlight: r.inFlight, drift };
    if (mode === 'lift') this.logger.warn(log, 'held item released: Redis rebuilt from PostgreSQL after every queued order was decided');
    else if (report.repaired) this.logger.warn(log, 'stock drift repaired');
    else this.logger.debug(log, 'stock in agreement');
    return report;
  }

  /**
   * The counter is missing: load it if this is the item's first load, else hold the item. Decided under the
   * item's row lock, so concurrent callers (every order-api instance meets the missing counter at once) agree.
   */
  async ensureLoaded(goodId: number): Promise<LoadOutcome> {
    return this.db.transaction(async (tx) => {
      const [good]: { stock_left: number; stock_loaded_at: Date | null }[] = await tx.query(
        `SELECT stock_left, stock_loaded_at FROM seckill_goods WHERE id = $1 FOR UPDATE`,
        [goodId],
      );
      if (!good) throw new DomainError(ErrorCode.GOOD_NOT_FOUND, `no sale item ${goodId}`);
      const [left] = await this.stock.stockLeft([goodId]);
      if (left !== null && left !== undefined) return 'present';
      if (good.stock_loaded_at === null) {
        const live: { user_id: string; uuid: string }[] = await tx.query(
          `SELECT user_id, uuid FROM orders WHERE seckill_good_id = $1 AND status = ANY($2::text[])`,
          [goodId, LIVE_ORDER_STATUSES],
        );
        // Marked first: if the commit fails after the load, the worst case is a hold later, never a double load.
        await tx.query(`UPDATE seckill_goods SET stock_loaded_at = now() WHERE id = $1`, [goodId]);
        const loaded = await this.stock.load(goodId, good.stock_left, live.map((l) => ({ userId: Number(l.user_id), uuid: l.uuid })));
        if (loaded) this.logger.info({ seckillGoodId: goodId, stockLeft: good.stock_left, buyers: live.length }, 'stock loaded into Redis');
        return loaded ? 'loaded' : 'present';
      }
      if (await this.stock.fence(goodId)) {
        // seckill_stock_fenced is order-worker's (FenceLifter reads every hold from Redis): a gauge set here, in
        // whichever process met the missing counter, would never be cleared.
        this.logger.warn({ seckillGoodId: goodId }, 'Redis lost this item\'s stock: held until the orders queued before are decided');
        return 'held';
      }
      return 'present';
    });
  }

  /** Items on sale now (or soon), the ones whose counters matter. */
  async liveItems(): Promise<number[]> {
    const rows: { id: number }[] = await this.db.query(`SELECT id FROM seckill_goods WHERE end_time > now() AND start_time < now() + interval '1 hour'`);
    return rows.map((r) => r.id);
  }

  async missingCounters(ids: readonly number[]): Promise<number[]> {
    const left = await this.stock.stockLeft(ids);
    return ids.filter((_, i) => left[i] === null);
  }

  private snapshot(goodId: number) {
    return this.db.transaction('REPEATABLE READ', async (tx) => {
      const [good]: { stock_left: number }[] = await tx.query(`SELECT stock_left FROM seckill_goods WHERE id = $1`, [goodId]);
      if (!good) throw new DomainError(ErrorCode.GOOD_NOT_FOUND, `no sale item ${goodId}`);
      const live: { user_id: string; uuid: string }[] = await tx.query(
        `SELECT user_id, uuid FROM orders WHERE seckill_good_id = $1 AND status = ANY($2::text[])`,
        [goodId, LIVE_ORDER_STATUSES],
      );
      const decided: { uuid: string }[] = await tx.query(`SELECT uuid FROM order_requests WHERE seckill_good_id = $1`, [goodId]);
      return { left: good.stock_left, live, decided };
    });
  }
}

function held(goodId: number): DomainError {
  return new DomainError(ErrorCode.TRY_AGAIN, `sale item ${goodId} is held: Redis lost its state and orders queued before are still being decided`);
}
