import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { OrderFrame, OrderStatusFrame } from '@seckill/contracts';
import type { StoredOutcome } from './outcome-store';

interface OutcomeRow {
  uuid: string;
  user_id: string;
  status: 'SUCCESS' | 'FAIL';
  reason: string | null;
  order_no: string | null;
  order_status: string | null;
}

const LATER = new Set<OrderStatusFrame['status']>(['PAID', 'CANCELLED', 'TIMEOUT']);

/**
 * The outcomes PostgreSQL holds, as the frames a socket would have been sent. The notifier's copy in Redis is a
 * cache of these: when Redis loses it (restarted empty) together with an announcement that was in flight, the
 * waiting shopper would otherwise hear nothing. Read only by the notifier's safety net, never on the normal path.
 */
@Injectable()
export class DurableOutcomes {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async find(uuids: readonly string[]): Promise<Map<string, StoredOutcome>> {
    if (uuids.length === 0) return new Map();
    const rows: OutcomeRow[] = await this.db.query(
      `SELECT r.uuid, r.user_id, r.status, r.reason, r.order_no, o.status AS order_status
         FROM order_requests r LEFT JOIN orders o ON o.uuid = r.uuid
        WHERE r.uuid = ANY($1::uuid[])`,
      [uuids],
    );
    return new Map(rows.map((r) => [r.uuid, { userId: Number(r.user_id), frames: framesOf(r) }]));
  }
}

function framesOf(r: OutcomeRow): OrderFrame[] {
  const frames: OrderFrame[] = [
    r.status === 'SUCCESS'
      ? { type: 'order.result', uuid: r.uuid, status: 'SUCCESS', orderNo: r.order_no ?? '' }
      : { type: 'order.result', uuid: r.uuid, status: 'FAIL', reason: r.reason ?? 'INTERNAL' },
  ];
  const later = r.order_status as OrderStatusFrame['status'] | null;
  if (r.order_no && later && LATER.has(later)) frames.push({ type: 'order.status', uuid: r.uuid, orderNo: r.order_no, status: later });
  return frames;
}
