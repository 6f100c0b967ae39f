/**
 * When the waiting room's sale happens, relative to the fire instant: the item's start, the room's opening and each
 * shopper's join. Pure, unit-tested.
 */

/** The room opens this long before the first join, so no join can arrive before the window (SALE_NOT_STARTED). */
export const OPEN_MARGIN_MS = 500;

export interface RoomPlan {
  /** Epoch ms: the first join. */
  fireAt: number;
  /** Epoch ms: the item's startTime; the room opens `preQueueSeconds` before it. */
  startTime: number;
  /** Epoch ms: the item's endTime, well after the run. */
  endTime: number;
  /** Each shopper's join, ms after `fireAt`. */
  offsets: number[];
}

/**
 * With a pre-queue the item starts `preQueueSeconds` after the room opens, and the room opens just before the first
 * join; the joins are spread evenly over `joinSeconds` (0: all at once), so that with the default (half the pre-queue)
 * every one lands in the window and gets a random place at the start. Without one the item is live already and the
 * shoppers queue in the order they arrive.
 */
export function planRoomSale(fireAt: number, o: { shoppers: number; preQueueSeconds: number; joinSeconds: number; liveSeconds: number }): RoomPlan {
  const startTime = o.preQueueSeconds > 0 ? fireAt - OPEN_MARGIN_MS + o.preQueueSeconds * 1000 : fireAt - 1000;
  return {
    fireAt,
    startTime,
    endTime: Math.max(startTime, fireAt) + (o.liveSeconds + 3600) * 1000,
    offsets: Array.from({ length: o.shoppers }, (_, i) => (i * o.joinSeconds * 1000) / o.shoppers),
  };
}

/** The default spread of the joins: half the pre-queue, so the last join still has half of it to land. */
export function defaultJoinSeconds(preQueueSeconds: number): number {
  return preQueueSeconds / 2;
}
