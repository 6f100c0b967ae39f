import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, QueryRunner } from 'typeorm';
import { LIVE_ORDER_STATUSES, RequestStatus, type FailReason } from '@seckill/contracts';
import { outcomesOf } from './order-requests.repository';
import type { OutcomeRecord } from './records';

/** A request to decide: its uuid, who asked, for which item. */
export interface BatchCandidate {
  uuid: string;
  userId: number;
  seckillGoodId: number;
}

/** An item as a batch decides against it: its row is locked, so `stockLeft` holds until the commit. */
export interface LockedItem {
  id: number;
  stockLeft: number;
  seckillPrice: string;
}

export type PlannedDecision =
  | { uuid: string; userId: number; seckillGoodId: number; status: typeof RequestStatus.SUCCESS; amount: string }
  | { uuid: string; userId: number; seckillGoodId: number; status: typeof RequestStatus.FAIL; reason: FailReason };

export interface BatchPlan {
  decisions: PlannedDecision[];
  /** Units to take from each item's stock_left in this transaction. */
  decrements: Map<number, number>;
}

/** The domain's decision for a batch (pure): written back by the transaction exactly as returned. */
export type BatchPlanner<C extends BatchCandidate> = (candidates: readonly C[], items: ReadonlyMap<number, LockedItem>, liveOrders: ReadonlySet<string>) => BatchPlan;

export interface BatchRecord {
  /** Decided and recorded by this transaction. */
  decided: OutcomeRecord[];
  /** Already recorded by another transaction that committed first: to be replayed, not decided. */
  replayed: OutcomeRecord[];
}

/** How `liveOrders` names a shopper's live order of an item. */
export function liveKey(itemId: number, userId: number): string {
  return `${itemId}:${userId}`;
}

/** How long a created order waits for its payment (PAYMENT_WINDOW_SECONDS). */
export const PAYMENT_WINDOW = Symbol('PAYMENT_WINDOW');

/**
 * One PostgreSQL transaction per batch of order requests. The item rows are locked (in id order, so two workers
 * never deadlock), stock is decremented conditionally, and orders and outcomes are inserted in bulk; the unique
 * keys on uuid and the one-live-order index reject anything a bug or a race could slip past the decision.
 */
@Injectable()
export class OrderBatchRepository {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(PAYMENT_WINDOW) private readonly paymentWindowSeconds: number,
  ) {}

  /** Outcomes already recorded for these uuids (redeliveries): replayed, never decided again. */
  recorded(uuids: readonly string[]): Promise<Map<string, OutcomeRecord>> {
    return outcomesOf(this.db, uuids);
  }

  /**
   * Decides the candidates in one transaction with `plan`. A candidate whose outcome another batch committed
   * meanwhile (the same message delivered twice, handled by two batches at once) is not decided again: its
   * recorded outcome comes back in `replayed`.
   */
  async decideAndRecord<C extends BatchCandidate>(candidates: readonly C[], plan: BatchPlanner<C>): Promise<BatchRecord> {
    const qr = this.db.createQueryRunner();
    await qr.connect();
    try {
      await qr.startTransaction('READ COMMITTED');
      const outcomes = await this.inTransaction(qr, candidates, plan);
      await qr.commitTransaction();
      return outcomes;
    } catch (err) {
      if (qr.isTransactionActive) await qr.rollbackTransaction().catch(() => undefined);
      throw err;
    } finally {
      await qr.release();
    }
  }

  private async inTransaction<C extends BatchCandidate>(qr: QueryRunner, all: readonly C[], plan: BatchPlanner<C>): Promise<BatchRecord> {
    const itemIds = [...new Set(all.map((c) => c.seckillGoodId))].sort((a, b) => a - b);
    const itemRows: { id: number; stock_left: number; seckill_price: string }[] = await qr.query(
      `SELECT id, stock_left, seckill_price FROM seckill_goods WHERE id = ANY($1::int[]) ORDER BY id FOR UPDATE`,
      [itemIds],
    );
    // Batches run concurrently, and a redelivered message may sit in one while its original is in another:
    // both passed the check before the transaction. Both lock the same item row (a uuid belongs to one item),
    // so whichever comes second waits above and, its next statement seeing the first one's commit (READ
    // COMMITTED), finds the outcome here and replays it. Without this it would fail on the unique uuid and
    // send its whole batch through one-by-one retries. (An unknown item locks no row: that rare race is left to
    // the unique key.)
    const replayedNow = await outcomesOf(qr, all.map((c) => c.uuid));
    const candidates = all.filter((c) => !replayedNow.has(c.uuid));
    const replayed = [...replayedNow.values()];
    if (candidates.length === 0) return { decided: [], replayed };
    const userIds = [...new Set(candidates.map((c) => c.userId))];
    const live: { seckill_good_id: number; user_id: string }[] = await qr.query(
      `SELECT seckill_good_id, user_id FROM orders
        WHERE seckill_good_id = ANY($1::int[]) AND user_id = ANY($2::bigint[]) AND status = ANY($3::text[])`,
      [itemIds, userIds, LIVE_ORDER_STATUSES],
    );
    const items = new Map<number, LockedItem>(itemRows.map((g) => [g.id, { id: g.id, stockLeft: g.stock_left, seckillPrice: g.seckill_price }]));
    const planned = plan(candidates, items, new Set(live.map((l) => liveKey(l.seckill_good_id, Number(l.user_id)))));

    for (const [itemId, units] of planned.decrements) {
      const res = await qr.query(`UPDATE seckill_goods SET stock_left = stock_left - $2 WHERE id = $1 AND stock_left >= $2`, [itemId, units], true);
      if (res.affected !== 1) throw new Error(`conditional stock decrement refused for item ${itemId}`);
    }

    const sold = planned.decisions.filter((d): d is Extract<PlannedDecision, { status: 'SUCCESS' }> => d.status === RequestStatus.SUCCESS);
    const orderNos = new Map<string, string>();
    if (sold.length > 0) {
      const inserted: { uuid: string; order_no: string }[] = await qr.query(
        `INSERT INTO orders (uuid, user_id, seckill_good_id, amount, status, pay_deadline)
         SELECT u, usr, g, a, 'UNPAID', now() + make_interval(secs => $5)
           FROM unnest($1::uuid[], $2::bigint[], $3::int[], $4::numeric[]) AS t(u, usr, g, a)
         RETURNING uuid, order_no`,
        [sold.map((d) => d.uuid), sold.map((d) => d.userId), sold.map((d) => d.seckillGoodId), sold.map((d) => d.amount), this.paymentWindowSeconds],
      );
      for (const r of inserted) orderNos.set(r.uuid, r.order_no);
    }

    const outcomes = planned.decisions.map((d): OutcomeRecord => {
      const base = { uuid: d.uuid, userId: d.userId, seckillGoodId: d.seckillGoodId };
      if (d.status === RequestStatus.FAIL) return { ...base, status: 'FAIL', reason: d.reason };
      const orderNo = orderNos.get(d.uuid);
      if (orderNo === undefined) throw new Error(`no order number came back for ${d.uuid}`);
      return { ...base, status: 'SUCCESS', orderNo };
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
