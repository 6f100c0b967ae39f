import { isCluster, type RedisClient } from '@seckill/redis';
import { StockKeys } from './stock-keys';
import { claimRequests, defineStockScripts } from './stock-scripts';

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
  /** On one node a script may touch any key; on a cluster only its slot's (see StockKeys). */
  private readonly oneNode: boolean;

  constructor(
    private readonly redis: RedisClient,
    readonly keys: StockKeys,
    private readonly now: () => number = Date.now,
  ) {
    // Idempotent: every StockService on a shared connection defines the same commands.
    defineStockScripts(redis);
    this.oneNode = !isCluster(redis);
  }

  async reserve(itemId: number, userId: number, uuid: string): Promise<ReserveOutcome> {
    const k = this.keys;
    let answer: [string, string];
    if (this.oneNode) {
      // One node: the uuid's pointer is checked and set inside the script, one round trip as ever.
      answer = await this.redis.reserveStockWithPointer(k.stock(itemId), k.buyers(itemId), k.request(itemId, uuid), k.publishing(itemId), k.fence(itemId), k.requestItem(uuid), userId, uuid, itemId, REQUEST_TTL_SECONDS, this.now());
    } else {
      const taken = await this.claimUuid(itemId, userId, uuid);
      if (taken) return taken;
      answer = await this.redis.reserveStock(k.stock(itemId), k.buyers(itemId), k.request(itemId, uuid), k.publishing(itemId), k.fence(itemId), userId, uuid, itemId, REQUEST_TTL_SECONDS, this.now());
    }
    const [code, detail] = answer;
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
   * On a cluster: points the uuid at its shopper and item before the reservation (SET NX, so the first request
   * under a uuid owns it; on one node reserve-stock.lua does the same inside the script). The request hash itself
   * lives in the item's slot and the script cannot look across slots: this is what keeps a uuid from being
   * reserved under two items, or by two shoppers. A pointer left by a refused request only makes the same uuid
   * usable for that same shopper and item again, which is the idempotency rule anyway.
   */
  private async claimUuid(itemId: number, userId: number, uuid: string): Promise<ReserveOutcome | null> {
    const previous = await this.redis.set(this.keys.requestItem(uuid), `${userId}:${itemId}`, 'EX', REQUEST_TTL_SECONDS, 'NX', 'GET');
    if (previous === null) return null;
    const [owner, item] = previous.split(':').map(Number);
    // The same requestId for another item is refused like another shopper's: the client must choose a new one.
    if (owner !== userId || item !== itemId) return { kind: 'FOREIGN' };
    return null;
  }

  /**
   * The publish was confirmed. Returns the state after marking: 'QUEUED' or 'CLAIMED' (the worker was even
   * faster) mean the order is in; 'ABANDONED' means the stranded-reservation sweeper gave up on it first.
   */
  async markQueued(itemId: number, userId: number, uuid: string): Promise<string> {
    // The script recreates a record Redis lost; the pointer that finds it by uuid is put back alongside (NX: it
    // is this request's own, written before the reservation, unless Redis lost it too): by the script itself on
    // one node, beside it on a cluster.
    const k = this.keys;
    if (this.oneNode) return this.redis.markQueuedWithPointer(k.request(itemId, uuid), k.publishing(itemId), k.requestItem(uuid), uuid, userId, itemId, REQUEST_TTL_SECONDS);
    const [state] = await Promise.all([
      this.redis.markQueued(k.request(itemId, uuid), k.publishing(itemId), uuid, userId, itemId, REQUEST_TTL_SECONDS),
      this.redis.set(k.requestItem(uuid), `${userId}:${itemId}`, 'EX', REQUEST_TTL_SECONDS, 'NX'),
    ]);
    return state;
  }

  /** True when abandoned (unit returned); false when the worker already claimed the request. */
  async abandon(itemId: number, userId: number, uuid: string): Promise<boolean> {
    const k = this.keys;
    const state = await this.redis.abandonReservation(k.stock(itemId), k.buyers(itemId), k.request(itemId, uuid), k.publishing(itemId), userId, uuid, itemId, REQUEST_TTL_SECONDS);
    return state === 'ABANDONED';
  }

  /**
   * A failed request's reservation ends. Idempotent: true only for the call that actually returned a unit.
   * `returnUnit` false for a failure that never held a real unit (SOLD_OUT: PostgreSQL had none).
   */
  async release(itemId: number, userId: number, uuid: string, returnUnit = true): Promise<boolean> {
    const k = this.keys;
    return (await this.redis.releaseReservation(k.stock(itemId), k.buyers(itemId), k.request(itemId, uuid), userId, uuid, returnUnit ? 1 : 0)) === 1;
  }

  /**
   * For a request whose outcome is already recorded: returns a reservation made for it after Redis lost its
   * record (true when a unit went back). A plain redelivery (already claimed) is left alone.
   */
  async releaseReplayed(itemId: number, userId: number, uuid: string): Promise<boolean> {
    const k = this.keys;
    return (await this.redis.releaseReplayedReservation(k.stock(itemId), k.buyers(itemId), k.request(itemId, uuid), userId, uuid)) === 1;
  }

  /** Claims requests for deciding, one script per item (a script runs on one slot); states in the given order. */
  async claim(requests: readonly { itemId: number; uuid: string }[]): Promise<ClaimState[]> {
    const byItem = new Map<number, { at: number; key: string }[]>();
    requests.forEach((r, at) => {
      const group = byItem.get(r.itemId) ?? [];
      group.push({ at, key: this.keys.request(r.itemId, r.uuid) });
      byItem.set(r.itemId, group);
    });
    const states = new Array<ClaimState>(requests.length).fill('MISSING');
    await Promise.all(
      [...byItem.values()].map(async (group) => {
        const claimed = (await claimRequests(this.redis, group.map((g) => g.key))) as ClaimState[];
        group.forEach((g, j) => (states[g.at] = claimed[j] ?? 'MISSING'));
      }),
    );
    return states;
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
    return (await this.redis.releaseStranded(k.stock(itemId), k.buyers(itemId), k.request(itemId, uuid), k.publishing(itemId), uuid)) === 1;
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
    // The set of held items is in another slot than the item's keys, so it is updated around the script, never
    // inside it: added before (a crash after leaves a member without a fence, which reads as not held) and again
    // after (a lift that removed the member between the two finds the fence and adds it back, see unlisted()).
    await this.redis.sadd(k.fences(), String(itemId));
    const held = (await this.redis.fenceStock(k.stock(itemId), k.fence(itemId), this.now())) === 1;
    if (held) await this.redis.sadd(k.fences(), String(itemId));
    return held;
  }

  /**
   * Takes a lifted item off the set of held items, unless it was held again meanwhile (a fence set between the
   * lift and this call puts the member back; fence() adds it after setting the fence as well).
   */
  private async unlisted(itemId: number): Promise<void> {
    const k = this.keys;
    await this.redis.srem(k.fences(), String(itemId));
    if ((await this.redis.exists(k.fence(itemId))) === 1) await this.redis.sadd(k.fences(), String(itemId));
  }

  /** The items held now, with when each hold began (ms). */
  async fenced(): Promise<{ itemId: number; sinceMs: number }[]> {
    const ids = (await this.redis.smembers(this.keys.fences())).map(Number).filter((n) => Number.isSafeInteger(n) && n > 0);
    if (ids.length === 0) return [];
    // One GET per item, not MGET: on a cluster the fences are in different slots (auto-pipelining batches them).
    const since = await Promise.all(ids.map((id) => this.redis.get(this.keys.fence(id))));
    // A member whose fence key is gone was lifted between the two reads; the lift removes it from the set too.
    return ids.flatMap((itemId, i) => (since[i] ? [{ itemId, sinceMs: Number(since[i]) }] : []));
  }

  /** True while any item is held: Redis lost state recently, so an unknown request may still be in flight. */
  async recovering(): Promise<boolean> {
    if ((await this.redis.scard(this.keys.fences())) === 0) return false;
    // A member may have no fence (see fence()): only a fence says the item is held.
    return (await this.fenced()).length > 0;
  }

  /** Adds units to a loaded counter; null when the counter is missing (load it instead). */
  async add(itemId: number, delta: number): Promise<number | null> {
    return this.redis.addStock(this.keys.stock(itemId), delta);
  }

  /** Units left per item, one round trip for any number of items; null where not loaded. */
  async stockLeft(itemIds: readonly number[]): Promise<(number | null)[]> {
    if (itemIds.length === 0) return [];
    const values = await Promise.all(itemIds.map((id) => this.redis.get(this.keys.stock(id))));
    return values.map((v) => (v === null ? null : Number(v)));
  }

  /** A request's record, found by uuid alone through its pointer to the item (two reads). */
  async request(uuid: string): Promise<RequestRecord | null> {
    const pointer = await this.redis.get(this.keys.requestItem(uuid));
    if (pointer === null) return null;
    const itemId = Number(pointer.split(':')[1]);
    if (!Number.isSafeInteger(itemId)) return null;
    const h = await this.redis.hgetall(this.keys.request(itemId, uuid));
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
    const [status, before, after, inFlight] = await this.redis.reconcileStock(k.stock(itemId), k.buyers(itemId), k.fence(itemId), ...args);
    if (mode === 'lift' && status === 'OK') await this.unlisted(itemId);
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
