import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { PinoLogger } from 'nestjs-pino';
import type { DataSource } from 'typeorm';
import { DomainError, ErrorCode, LIVE_ORDER_STATUSES } from '@seckill/contracts';
import { metrics } from '@seckill/observability';
import { StockService } from '@seckill/stock';

export interface ReconcileReport {
  before: { redis: number | null; db: number };
  after: { redis: number; db: number };
  repaired: boolean;
}

/**
 * Makes Redis agree with PostgreSQL for one item: counter = units left in PostgreSQL minus reservations still
 * in flight; buyers = live orders plus those reservations. The snapshot is read in one REPEATABLE READ
 * transaction and written by one Lua script, so neither side moves halfway through.
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

  async reconcile(goodId: number): Promise<ReconcileReport> {
    const snapshot = await this.db.transaction('REPEATABLE READ', async (tx) => {
      const [good]: { stock_left: number }[] = await tx.query(`SELECT stock_left FROM seckill_goods WHERE id = $1`, [goodId]);
      if (!good) throw new DomainError(ErrorCode.GOOD_NOT_FOUND, `no sale item ${goodId}`);
      const live: { user_id: string; uuid: string }[] = await tx.query(
        `SELECT user_id, uuid FROM orders WHERE seckill_good_id = $1 AND status = ANY($2::text[])`,
        [goodId, LIVE_ORDER_STATUSES],
      );
      const decided: { uuid: string }[] = await tx.query(`SELECT uuid FROM order_requests WHERE seckill_good_id = $1`, [goodId]);
      return { left: good.stock_left, live, decided };
    });
    const r = await this.stock.reconcile(
      goodId,
      snapshot.left,
      snapshot.live.map((l) => ({ userId: Number(l.user_id), uuid: l.uuid })),
      snapshot.decided.map((d) => d.uuid),
    );
    const report: ReconcileReport = {
      before: { redis: r.before, db: snapshot.left },
      after: { redis: r.after, db: snapshot.left },
      repaired: r.before !== r.after,
    };
    const drift = r.before === null ? null : r.before - r.after;
    metrics.stockDrift.set({ seckill_good_id: String(goodId) }, drift ?? 0);
    const log = { seckillGoodId: goodId, redisBefore: r.before, redisAfter: r.after, db: snapshot.left, inFlight: r.inFlight, drift };
    if (report.repaired) this.logger.warn(log, 'stock drift repaired');
    else this.logger.debug(log, 'stock in agreement');
    return report;
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
}
