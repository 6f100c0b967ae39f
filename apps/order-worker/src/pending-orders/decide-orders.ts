import { FailReason, RequestStatus } from '@seckill/contracts';
import { liveKey, type BatchCandidate, type BatchPlan, type LockedItem, type PlannedDecision } from '@seckill/persistence';
import type { ClaimState } from '@seckill/stock';

/** A request to decide, with what the Redis claim said about it. */
export interface Candidate extends BatchCandidate {
  claim: ClaimState;
}

/**
 * Decides a batch of requests against row-locked stock, in arrival order. Pure: the batch transaction
 * (OrderBatchRepository) feeds it the locked items and the shoppers' existing live orders, and writes back
 * exactly what it returns.
 * - abandoned by order-api → FAIL INTERNAL (defensive: the handler drops those before deciding, see
 *   OrderPlacedHandler.decide)
 * - shopper already holds a live order for the item, or an earlier request in this batch won → ALREADY_ORDERED
 * - no unit left → SOLD_OUT
 */
export function decideOrders(candidates: readonly Candidate[], items: ReadonlyMap<number, LockedItem>, liveOrders: ReadonlySet<string>): BatchPlan {
  const left = new Map([...items.values()].map((g) => [g.id, g.stockLeft]));
  const holders = new Set(liveOrders);
  const decrements = new Map<number, number>();
  const decisions = candidates.map((c): PlannedDecision => {
    const base = { uuid: c.uuid, userId: c.userId, seckillGoodId: c.seckillGoodId };
    const item = items.get(c.seckillGoodId);
    if (c.claim === 'ABANDONED' || !item) return { ...base, status: RequestStatus.FAIL, reason: FailReason.INTERNAL };
    const key = liveKey(c.seckillGoodId, c.userId);
    if (holders.has(key)) return { ...base, status: RequestStatus.FAIL, reason: FailReason.ALREADY_ORDERED };
    const units = left.get(item.id) ?? 0;
    if (units <= 0) return { ...base, status: RequestStatus.FAIL, reason: FailReason.SOLD_OUT };
    left.set(item.id, units - 1);
    decrements.set(item.id, (decrements.get(item.id) ?? 0) + 1);
    holders.add(key);
    return { ...base, status: RequestStatus.SUCCESS, amount: item.seckillPrice };
  });
  return { decisions, decrements };
}
