import type Redis from 'ioredis';
import { StockKeys } from './stock-keys';
import { defineStockScripts } from './stock-scripts';

export type ReserveOutcome =
  | { kind: 'RESERVED'; stockLeft: number }
  | { kind: 'DUPLICATE'; state: RequestState }
  | { kind: 'ALREADY_ORDERED' }
  | { kind: 'FOREIGN' }
  | { kind: 'SOLD_OUT' }
  | { kind: 'RECOVERING' }
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

export type ReconcileMode = 'reconcile' | 'lift';
export type ReconcileStatus = 'OK' | 'HELD' | 'MISSING' | 'NOT_HELD';

/** What one reconcile call did: the counter before and after (null when missing) and the reservations it kept. */
export interface ReconcileResult {
  status: ReconcileStatus;
  before: number | null;
  after: number | null;
  inFlight: number;
}

/** Request records outlive any outcome a shopper could still ask about by requestId. */
const REQUEST_TTL_SECONDS = 24 * 3600;

/** Typed access to the stock scripts. One Redis round trip per call; no read-modify-write in Node. */
export class StockService {
  constructor(
    private readonly redis: Redis,
    readonly keys: StockKeys,
    private readonly now: () => number = Date.now,
  ) {
    // Idempotent: every StockService on a shared connection defines the same commands.
    defineStockScripts(redis);
  }

  async reserve(itemId: number, userId: number, uuid: string): Promise<ReserveOutcome> {
    const k = this.keys;
    const [code, detail] = await this.redis.reserveStock(k.stock(itemId), k.buyers(itemId), k.request(uuid), k.publishing(itemId), k.fence(itemId), userId, uuid, itemId, REQUEST_TTL_SECONDS, this.now());
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
      case 'RECOVERING':
        return { kind: 'RECOVERING' };
      case 'NOT_LOADED':
        return { kind: 'NOT_LOADED' };
      default:
        throw new Error(`unexpected reserve-stock answer ${code}`);
    }
  }

  /**
   * The publish was confirmed. Returns the state after marking: 'QUEUED' or 'CLAIMED' (the worker was even
   * faster) mean the order is in; 'ABANDONED' means the stranded-reservation sweeper gave up on it first.
   */
  async markQueued(itemId: number, userId: number, uuid: string): Promise<string> {
    return this.redis.markQueued(this.keys.request(uuid), this.keys.publishing(itemId), uuid, userId, itemId, REQUEST_TTL_SECONDS);
  }

  /** True when abandoned (unit returned); false when the worker already claimed the request. */
  async abandon(itemId: number, userId: number, uuid: string): Promise<boolean> {
    const k = this.keys;
    const state = await this.redis.abandonReservation(k.stock(itemId), k.buyers(itemId), k.request(uuid), k.publishing(itemId), userId, uuid, itemId, REQUEST_TTL_SECONDS);
    return state === 'ABANDONED';
  }

  /**
   * A failed request's reservation ends. Idempotent: true only for the call that actually returned a unit.
   * `returnUnit` false for a failure that never held a real unit (SOLD_OUT: PostgreSQL had none).
   */
  async release(itemId: number, userId: number, uuid: string, returnUnit = true): Promise<boolean> {
    const k = this.keys;
    return (await this.redis.releaseReservation(k.stock(itemId), k.buyers(itemId), k.request(uuid), userId, uuid, returnUnit ? 1 : 0)) === 1;
  }

  /**
   * For a request whose outcome is already recorded: returns a reservation made for it after Redis lost its
   * record (true when a unit went back). A plain redelivery (already claimed) is left alone.
   */
  async releaseReplayed(itemId: number, userId: number, uuid: string): Promise<boolean> {
    const k = this.keys;
    return (await this.redis.releaseReplayedReservation(k.stock(itemId), k.buyers(itemId), k.request(uuid), userId, uuid)) === 1;
  }

  async claim(uuids: readonly string[]): Promise<ClaimState[]> {
    if (uuids.length === 0) return [];
    const keys = uuids.map((u) => this.keys.request(u));
    return (await this.redis.claimRequests(keys.length, ...keys)) as ClaimState[];
  }

  /** Reservations of an item made before `cutoffMs` and still waiting for their confirm (oldest first). */
  async publishingBefore(itemId: number, cutoffMs: number, limit = 500): Promise<string[]> {
    return this.redis.zrangebyscore(this.keys.publishing(itemId), '-inf', cutoffMs, 'LIMIT', 0, limit);
  }

  /** When the item's oldest reservation still waiting for its confirm was made (ms), or null. */
  async oldestPublishing(itemId: number): Promise<number | null> {
    const [, score] = await this.redis.zrange(this.keys.publishing(itemId), 0, 0, 'WITHSCORES');
    return score === undefined ? null : Number(score);
  }

  /** Abandons a stranded reservation unless the worker claimed it first; true when a unit went back. */
  async releaseStranded(itemId: number, uuid: string): Promise<boolean> {
    const k = this.keys;
    return (await this.redis.releaseStranded(k.stock(itemId), k.buyers(itemId), k.request(uuid), k.publishing(itemId), uuid)) === 1;
  }

  /** Loads the counter and live buyers unless another process already did (first load of an item). */
  async load(itemId: number, stockLeft: number, buyers: readonly LiveBuyer[]): Promise<boolean> {
    const args: (string | number)[] = [Math.max(0, stockLeft)];
    for (const b of buyers) args.push(b.userId, b.uuid);
    return (await this.redis.loadStock(this.keys.stock(itemId), this.keys.buyers(itemId), ...args)) === 1;
  }

  /** Holds an item whose counter Redis lost (see fence-stock.lua); false when the counter exists after all. */
  async fence(itemId: number): Promise<boolean> {
    const k = this.keys;
    return (await this.redis.fenceStock(k.stock(itemId), k.fence(itemId), k.fences(), itemId, this.now())) === 1;
  }

  /** The items held now, with when each hold began (ms). */
  async fenced(): Promise<{ itemId: number; sinceMs: number }[]> {
    const ids = (await this.redis.smembers(this.keys.fences())).map(Number).filter((n) => Number.isSafeInteger(n) && n > 0);
    if (ids.length === 0) return [];
    const since = await this.redis.mget(ids.map((id) => this.keys.fence(id)));
    // A member whose fence key is gone was lifted between the two reads; the lift removes it from the set too.
    return ids.flatMap((itemId, i) => (since[i] ? [{ itemId, sinceMs: Number(since[i]) }] : []));
  }

  /** True while any item is held: Redis lost state recently, so an unknown request may still be in flight. */
  async recovering(): Promise<boolean> {
    return (await this.redis.scard(this.keys.fences())) > 0;
  }

  /** Adds units to a loaded counter; null when the counter is missing (load it instead). */
  async add(itemId: number, delta: number): Promise<number | null> {
    return this.redis.addStock(this.keys.stock(itemId), delta);
  }

  /** Units left per item, one round trip for any number of items; null where not loaded. */
  async stockLeft(itemIds: readonly number[]): Promise<(number | null)[]> {
    if (itemIds.length === 0) return [];
    const values = await this.redis.mget(itemIds.map((id) => this.keys.stock(id)));
    return values.map((v) => (v === null ? null : Number(v)));
  }

  async request(uuid: string): Promise<RequestRecord | null> {
    const h = await this.redis.hgetall(this.keys.request(uuid));
    // The scripts store the item under its storage name `goodId` (records written by every running version).
    if (!h.state || !h.userId || !h.goodId) return null;
    return { state: h.state as RequestState, userId: Number(h.userId), seckillGoodId: Number(h.goodId) };
  }

  /**
   * Replaces an item's counter and buyers with what PostgreSQL says (see reconcile-stock.lua), keeping the
   * reservations still in flight. 'reconcile' leaves a held or unloaded item alone; 'lift' releases a held one.
   */
  async reconcile(
    itemId: number,
    mode: ReconcileMode,
    pgStockLeft: number,
    live: readonly LiveBuyer[],
    decided: readonly string[],
  ): Promise<ReconcileResult> {
    const args: (string | number)[] = [mode, itemId, pgStockLeft, live.length];
    for (const b of live) args.push(b.userId, b.uuid);
    args.push(...decided);
    const k = this.keys;
    const [status, before, after, inFlight] = await this.redis.reconcileStock(k.stock(itemId), k.buyers(itemId), k.fence(itemId), k.fences(), ...args);
    return {
      status: status as ReconcileStatus,
      before: before === '' ? null : Number(before),
      after: after === '' ? null : Number(after),
      inFlight: Number(inFlight),
    };
  }

  /**
   * What the notifier stored for a request (its owner and result frame, as JSON), for answering a poll while
   * PostgreSQL is away; null when nothing is stored.
   */
  async storedResult(uuid: string): Promise<{ userId: number; result: string } | null> {
    const [owner, result] = await this.redis.hmget(this.keys.outcome(uuid), 'userId', 'result');
    return owner && result ? { userId: Number(owner), result } : null;
  }

  async buyerCount(itemId: number): Promise<number> {
    return this.redis.hlen(this.keys.buyers(itemId));
  }
}
