import { Injectable } from '@nestjs/common';
import type { OrderFrame, OrderStatusFrame } from '@seckill/contracts';
import { OrderRequestRepository, type OutcomeRecord } from '@seckill/persistence';
import type { StoredOutcome } from './outcome-store';

const LATER = new Set<string>(['PAID', 'CANCELLED', 'TIMEOUT']);

/**
 * The outcomes PostgreSQL holds, as the frames a socket would have been sent. The notifier's copy in Redis is a
 * cache of these: when Redis loses it (restarted empty) together with an announcement that was in flight, the
 * waiting shopper would otherwise hear nothing. Read only by the notifier's safety net, never on the normal path.
 */
@Injectable()
export class DurableOutcomes {
  constructor(private readonly requests: OrderRequestRepository) {}

  async find(uuids: readonly string[]): Promise<Map<string, StoredOutcome>> {
    const found = await this.requests.outcomesWithOrderStatus(uuids);
    return new Map([...found].map(([uuid, { outcome, orderStatus }]) => [uuid, { userId: outcome.userId, frames: framesOf(outcome, orderStatus) }]));
  }
}

function framesOf(o: OutcomeRecord, orderStatus: string | null): OrderFrame[] {
  if (o.status === 'FAIL') return [{ type: 'order.result', uuid: o.uuid, status: 'FAIL', reason: o.reason }];
  const frames: OrderFrame[] = [{ type: 'order.result', uuid: o.uuid, status: 'SUCCESS', orderNo: o.orderNo }];
  if (orderStatus && LATER.has(orderStatus)) frames.push({ type: 'order.status', uuid: o.uuid, orderNo: o.orderNo, status: orderStatus as OrderStatusFrame['status'] });
  return frames;
}
