import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, QueryRunner } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '@seckill/config';
import { LIVE_ORDER_STATUSES, RequestStatus, type FailReason } from '@seckill/contracts';
import { decideOrders, liveKey, type Candidate, type Decision, type GoodSnapshot } from './decide-orders';

/** A decision as it was recorded: successes carry the order number PostgreSQL assigned. */
export type RecordedOutcome =
  | { uuid: string; userId: number; seckillGoodId: number; status: 'SUCCESS'; orderNo: string }
  | { uuid: string; userId: number; seckillGoodId: number; status: 'FAIL'; reason: FailReason };

export interface BatchRecord {
  /** Decided and recorded by this transaction. */
  decided: RecordedOutcome[];
  /** Already recorded by another transaction that committed first: to be replayed, not decided. */
  replayed: RecordedOutcome[];
}

interface OutcomeRow {
  uuid: string;
  user_id: string;
  seckill_good_id: number;
  status: 'SUCCESS' | 'FAIL';
  reason: FailReason | null;
  order_no: string | null;
}

/**
 * One PostgreSQL transaction per batch. The item rows are locked (in id order, so two workers never
 * deadlock), stock is decremented conditionally, and orders and outcomes are inserted in bulk; the unique
 * keys on uuid and the one-live-order index reject anything a bug or a race could slip past the decision.
 */
@Injectable()
export class OrderBatchRepository {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Outcomes already recorded for these uuids (redeliveries): replayed, never decided again. */
  recorded(uuids: readonly string[]): Promise<Map<string, RecordedOutcome>> {
    return recordedOutcomes(this.db, uuids);
  }

  /**
   * Decides the candidates in one transaction. A candidate whose outcome another batch committed meanwhile
   * (the same message delivered twice, handled by two batches at once) is not decided again: its recorded
   * outcome comes back in `replayed`.
   */
  async decideAndRecord(candidates: readonly Candidate[]): Promise<BatchRecord> {
    const qr = this.db.createQueryRunner();
    await qr.connect();
    try {
      await qr.startTransaction('READ COMMITTED');
      const outcomes = await this.inTransaction(qr, candidates);
      await qr.commitTransaction();
      return outcomes;
    } catch (err) {
      if (qr.isTransactionActive) await qr.rollbackTransaction().catch(() => undefined);
      throw err;
    } finally {
      await qr.release();
    }
  }

  private async inTransaction(qr: QueryRunner, all: readonly Candidate[]): Promise<BatchRecord> {
    const goodIds = [...new Set(all.map((c) => c.seckillGoodId))].sort((a, b) => a - b);
    const goodRows: { id: number; stock_left: number; seckill_price: string }[] = await qr.query(
      `SELECT id, stock_left, seckill_price FROM seckill_goods WHERE id = ANY($1::int[]) ORDER BY id FOR UPDATE`,
      [goodIds],
    );
    // Batches run concurrently, and a redelivered message may sit in one while its original is in another:
    // both passed the check before the transaction. Both lock the same item row (a uuid belongs to one item),
    // so whichever comes second waits above and, its next statement seeing the first one's commit (READ
    // COMMITTED), finds the outcome here and replays it. Without this it would fail on the unique uuid and
    // send its whole batch through one-by-one retries. (An unknown item locks no row: that rare race is left to
    // the unique key.)
    const replayedNow = await recordedOutcomes(qr, all.map((c) => c.uuid));
    const candidates = all.filter((c) => !replayedNow.has(c.uuid));
    const replayed = [...replayedNow.values()];
    if (candidates.length === 0) return { decided: [], replayed };
    const userIds = [...new Set(candidates.map((c) => c.userId))];
    const live: { seckill_good_id: number; user_id: string }[] = await qr.query(
      `SELECT seckill_good_id, user_id FROM orders
        WHERE seckill_good_id = ANY($1::int[]) AND user_id = ANY($2::bigint[]) AND status = ANY($3::text[])`,
      [goodIds, userIds, LIVE_ORDER_STATUSES],
    );
    const goods = new Map<number, GoodSnapshot>(goodRows.map((g) => [g.id, { id: g.id, stockLeft: g.stock_left, seckillPrice: g.seckill_price }]));
    const plan = decideOrders(candidates, goods, new Set(live.map((l) => liveKey(l.seckill_good_id, Number(l.user_id)))));

    for (const [goodId, units] of plan.decrements) {
      const res = await qr.query(`UPDATE seckill_goods SET stock_left = stock_left - $2 WHERE id = $1 AND stock_left >= $2`, [goodId, units], true);
      if (res.affected !== 1) throw new Error(`conditional stock decrement refused for item ${goodId}`);
    }

    const sold = plan.decisions.filter((d): d is Extract<Decision, { status: 'SUCCESS' }> => d.status === RequestStatus.SUCCESS);
    const orderNos = new Map<string, string>();
    if (sold.length > 0) {
      const inserted: { uuid: string; order_no: string }[] = await qr.query(
        `INSERT INTO orders (uuid, user_id, seckill_good_id, amount, status, pay_deadline)
         SELECT u, usr, g, a, 'UNPAID', now() + make_interval(secs => $5)
           FROM unnest($1::uuid[], $2::bigint[], $3::int[], $4::numeric[]) AS t(u, usr, g, a)
         RETURNING uuid, order_no`,
        [sold.map((d) => d.uuid), sold.map((d) => d.userId), sold.map((d) => d.seckillGoodId), sold.map((d) => d.amount), this.config.PAYMENT_WINDOW_SECONDS],
      );
      for (const r of inserted) orderNos.set(r.uuid, r.order_no);
    }

    const outcomes = plan.decisions.map((d): RecordedOutcome => {
      const base = { uuid: d.uuid, userId: d.userId, seckillGoodId: d.seckillGoodId };
      return d.status === RequestStatus.SUCCESS
        ? { ...base, status: 'SUCCESS', orderNo: orderNos.get(d.uuid)! }
        : { ...base, status: 'FAIL', reason: d.reason };
    });
    await qr.query(
      `INSERT INTO order_requests (uuid, user_id, seckill_good_id, status, reason, order_no)
       SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::int[], $4::text[], $5::text[], $6::text[])`,
      [
        outcomes.map((o) => o.uuid),
        outcomes.map((o) => o.userId),
        outcomes.map((o) => o.seckillGoodId),
        outcomes.map((o) => o.status),
        outcomes.map((o) => (o.status === 'FAIL' ? o.reason : null)),
        outcomes.map((o) => (o.status === 'SUCCESS' ? o.orderNo : null)),
      ],
    );
    return { decided: outcomes, replayed };
  }
}

async function recordedOutcomes(db: Pick<DataSource | QueryRunner, 'query'>, uuids: readonly string[]): Promise<Map<string, RecordedOutcome>> {
  if (uuids.length === 0) return new Map();
  const rows: OutcomeRow[] = await db.query(
    `SELECT uuid, user_id, seckill_good_id, status, reason, order_no FROM order_requests WHERE uuid = ANY($1::uuid[])`,
    [uuids],
  );
  return new Map(rows.map((r) => [r.uuid, toOutcome(r)]));
}

function toOutcome(r: OutcomeRow): RecordedOutcome {
  const base = { uuid: r.uuid, userId: Number(r.user_id), seckillGoodId: r.seckill_good_id };
  return r.status === 'SUCCESS'
    ? { ...base, status: 'SUCCESS', orderNo: r.order_no ?? '' }
    : { ...base, status: 'FAIL', reason: r.reason ?? 'INTERNAL' };
}
