import { FailReason, RequestStatus } from '@seckill/contracts';
import type { ClaimState } from '@seckill/stock';

export interface Candidate {
  uuid: string;
  userId: number;
  seckillGoodId: number;
  claim: ClaimState;
}

export interface GoodSnapshot {
  id: number;
  stockLeft: number;
  seckillPrice: string;
}

export type Decision =
  | { uuid: string; userId: number; seckillGoodId: number; status: typeof RequestStatus.SUCCESS; amount: string }
  | { uuid: string; userId: number; seckillGoodId: number; status: typeof RequestStatus.FAIL; reason: FailReason };

export interface BatchPlan {
  decisions: Decision[];
  /** Units to take from each item's stock_left in this transaction. */
  decrements: Map<number, number>;
}

const liveKey = (goodId: number, userId: number) => `${goodId}:${userId}`;

/**
 * Decides a batch of requests against row-locked stock, in arrival order. Pure: the transaction feeds it the
 * locked rows and the shoppers' existing live orders, and writes back exactly what it returns.
 * - abandoned by order-api → FAIL INTERNAL (defensive: the handler drops those before deciding, see
 *   OrderPlacedHandler.decide)
 * - shopper already holds a live order for the item, or an earlier request in this batch won → ALREADY_ORDERED
 * - no unit left → SOLD_OUT
 */
export function decideOrders(
  candidates: readonly Candidate[],
  goods: ReadonlyMap<number, GoodSnapshot>,
  liveOrders: ReadonlySet<string>,
): BatchPlan {
  const left = new Map([...goods.values()].map((g) => [g.id, g.stockLeft]));
  const holders = new Set(liveOrders);
  const decrements = new Map<number, number>();
  const decisions = candidates.map((c): Decision => {
    const base = { uuid: c.uuid, userId: c.userId, seckillGoodId: c.seckillGoodId };
    const good = goods.get(c.seckillGoodId);
    if (c.claim === 'ABANDONED' || !good) return { ...base, status: RequestStatus.FAIL, reason: FailReason.INTERNAL };
    const key = liveKey(c.seckillGoodId, c.userId);
    if (holders.has(key)) return { ...base, status: RequestStatus.FAIL, reason: FailReason.ALREADY_ORDERED };
    const units = left.get(good.id) ?? 0;
    if (units <= 0) return { ...base, status: RequestStatus.FAIL, reason: FailReason.SOLD_OUT };
    left.set(good.id, units - 1);
    decrements.set(good.id, (decrements.get(good.id) ?? 0) + 1);
    holders.add(key);
    return { ...base, status: RequestStatus.SUCCESS, amount: good.seckillPrice };
  });
  return { decisions, decrements };
}

export { liveKey };
