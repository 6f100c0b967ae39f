import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { FailReason, OrderStatus } from '@seckill/contracts';
import type { OutcomeRecord } from './records';
import type { Sql } from './sql';

export interface OutcomeRow {
  uuid: string;
  user_id: string;
  seckill_good_id: number;
  status: 'SUCCESS' | 'FAIL';
  reason: FailReason | null;
  order_no: string | null;
}

export const OUTCOME_COLUMNS = `uuid, user_id, seckill_good_id, status, reason, order_no`;

export function toOutcome(r: OutcomeRow): OutcomeRecord {
  const base = { uuid: r.uuid, userId: Number(r.user_id), seckillGoodId: r.seckill_good_id };
  return r.status === 'SUCCESS' ? { ...base, status: 'SUCCESS', orderNo: r.order_no ?? '' } : { ...base, status: 'FAIL', reason: r.reason ?? 'INTERNAL' };
}

/** The outcomes recorded for these uuids (one query for any number of them). */
export async function outcomesOf(sql: Sql, uuids: readonly string[]): Promise<Map<string, OutcomeRecord>> {
  if (uuids.length === 0) return new Map();
  const rows: OutcomeRow[] = await sql.query(`SELECT ${OUTCOME_COLUMNS} FROM order_requests WHERE uuid = ANY($1::uuid[])`, [uuids]);
  return new Map(rows.map((r) => [r.uuid, toOutcome(r)]));
}

/**
 * The durable outcome of every order request (table order_requests), written by the worker in the same
 * transaction as the order (OrderBatchRepository) and read by polling, by the worker's replays and by the
 * notifier's safety net.
 */
@Injectable()
export class OrderRequestRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async outcome(uuid: string): Promise<OutcomeRecord | null> {
    return (await outcomesOf(this.db, [uuid])).get(uuid) ?? null;
  }

  outcomes(uuids: readonly string[]): Promise<Map<string, OutcomeRecord>> {
    return outcomesOf(this.db, uuids);
  }

  /** Outcomes with the current status of the order each created (for the later `order.status` frames). */
  async outcomesWithOrderStatus(uuids: readonly string[]): Promise<Map<string, { outcome: OutcomeRecord; orderStatus: OrderStatus | null }>> {
    if (uuids.length === 0) return new Map();
    const rows: (OutcomeRow & { order_status: OrderStatus | null })[] = await this.db.query(
      `SELECT r.uuid, r.user_id, r.seckill_good_id, r.status, r.reason, r.order_no, o.status AS order_status
         FROM order_requests r LEFT JOIN orders o ON o.uuid = r.uuid
        WHERE r.uuid = ANY($1::uuid[])`,
      [uuids],
    );
    return new Map(rows.map((r) => [r.uuid, { outcome: toOutcome(r), orderStatus: r.order_status }]));
  }
}
