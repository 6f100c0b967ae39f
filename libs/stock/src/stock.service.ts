import type Redis from 'ioredis';
import { StockKeys } from './stock-keys';

export type ReserveOutcome =
  | { kind: 'RESERVED'; stockLeft: number }
  | { kind: 'DUPLICATE'; state: RequestState }
  | { kind: 'ALREADY_ORDERED' }
  | { kind: 'FOREIGN' }
  | { kind: 'SOLD_OUT' }
  | { kind: 'NOT_LOADED' };

/** Where a request stands in Redis (see the .lua files for the transitions). */
export type RequestState = 'PUBLISHING' | 'QUEUED' | 'CLAIMED' | 'ABANDONED' | 'RELEASED';
export type ClaimState = 'CLAIMED' | 'ABANDONED' | 'RELEASED' | 'MISSING';

export interface RequestRecord {
  state: RequestState;
  userId: number;
  seckillGoodId: number;
}

export interface LiveBuyer {
  userId: number;
  uuid: string;
}

/** Request records outlive any outcome a shopper could still ask about by requestId. */
const REQUEST_TTL_SECONDS = 24 * 3600;

/** Typed access to the stock scripts. One Redis round trip per call; no read-modify-write in Node. */
export class StockService {
  constructor(
    readonly redis: Redis,
    readonly keys: StockKeys,
  ) {}

  async reserve(goodId: number, userId: number, uuid: string): Promise<ReserveOutcome> {
    const k = this.keys;
    const [code, detail] = await this.redis.reserveStock(k.stock(goodId), k.buyers(goodId), k.request(uuid), userId, uuid, goodId, REQUEST_TTL_SECONDS);
    switch (code) {
      case 'OK':
        return { kind: 'RESERVED', stockLeft: Number(detail) };
      case 'DUPLICATE':
        return { kind: 'DUPLICATE', state: detail as RequestState };
      case 'ALREADY_ORDERED':
        return { kind: 'ALREADY_ORDERED' };
      case 'SOLD_OUT':
        return { kind: 'SOLD_OUT' };
      case 'FOREIGN':
        return { kind: 'FOREIGN' };
      case 'NOT_LOADED':
        return { kind: 'NOT_LOADED' };
      default:
        throw new Error(`unexpected reserve-stock answer ${code}`);
    }
  }

  /** Returns the state after marking; 'CLAIMED' means the worker was even faster. */
  async markQueued(uuid: string): Promise<string> {
    return this.redis.markQueued(this.keys.request(uuid));
  }

  /** True when abandoned (unit returned); false when the worker already claimed the request. */
  async abandon(goodId: number, userId: number, uuid: string): Promise<boolean> {
    const k = this.keys;
    const state = await this.redis.abandonReservation(k.stock(goodId), k.buyers(goodId), k.request(uuid), userId, uuid);
    return state === 'ABANDONED';
  }

  /** Idempotent: true only for the call that actually returned the unit. */
  async release(goodId: number, userId: number, uuid: string): Promise<boolean> {
    const k = this.keys;
    return (await this.redis.releaseReservation(k.stock(goodId), k.buyers(goodId), k.request(uuid), userId, uuid)) === 1;
  }

  /**
   * For a request whose outcome is already recorded: returns a reservation made for it after Redis lost its
   * record (true when a unit went back). A plain redelivery (already claimed) is left alone.
   */
  async releaseReplayed(goodId: number, userId: number, uuid: string): Promise<boolean> {
    const k = this.keys;
    return (await this.redis.releaseReplayedReservation(k.stock(goodId), k.buyers(goodId), k.request(uuid), userId, uuid)) === 1;
  }

  async claim(uuids: readonly string[]): Promise<ClaimState[]> {
    if (uuids.length === 0) return [];
    const keys = uuids.map((u) => this.keys.request(u));
    return (await this.redis.claimRequests(keys.length, ...keys)) as ClaimState[];
  }

  /** Loads the counter and live buyers unless another process already did. */
  async load(goodId: number, stockLeft: number, buyers: readonly LiveBuyer[]): Promise<boolean> {
    const args: (string | number)[] = [Math.max(0, stockLeft)];
    for (const b of buyers) args.push(b.userId, b.uuid);
    return (await this.redis.loadStock(this.keys.stock(goodId), this.keys.buyers(goodId), ...args)) === 1;
  }

  /** Adds units to a loaded counter; null when the counter is missing (load it instead). */
  async add(goodId: number, delta: number): Promise<number | null> {
    return this.redis.addStock(this.keys.stock(goodId), delta);
  }

  /** Units left per item, one round trip for any number of items; null where not loaded. */
  async stockLeft(goodIds: readonly number[]): Promise<(number | null)[]> {
    if (goodIds.length === 0) return [];
    const values = await this.redis.mget(goodIds.map((id) => this.keys.stock(id)));
    return values.map((v) => (v === null ? null : Number(v)));
  }

  async request(uuid: string): Promise<RequestRecord | null> {
    const h = await this.redis.hgetall(this.keys.request(uuid));
    if (!h.state || !h.userId || !h.goodId) return null;
    return { state: h.state as RequestState, userId: Number(h.userId), seckillGoodId: Number(h.goodId) };
  }

  /**
   * Replaces an item's counter and buyers with what PostgreSQL says (see reconcile-stock.lua), keeping the
   * reservations still in flight. Returns the counter before (null if missing) and after.
   */
  async reconcile(goodId: number, pgStockLeft: number, live: readonly LiveBuyer[], decided: readonly string[]): Promise<{ before: number | null; after: number; inFlight: number }> {
    const args: (string | number)[] = [pgStockLeft, live.length];
    for (const b of live) args.push(b.userId, b.uuid);
    args.push(...decided);
    const [before, after, inFlight] = await this.redis.reconcileStock(this.keys.stock(goodId), this.keys.buyers(goodId), ...args);
    return { before: before === '' ? null : Number(before), after: Number(after), inFlight: Number(inFlight) };
  }

  async buyerCount(goodId: number): Promise<number> {
    return this.redis.hlen(this.keys.buyers(goodId));
  }
}
