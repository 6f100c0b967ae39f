import { StockKeys, type ClaimState, type LiveBuyer, type ReconcileMode, type ReconcileResult, type RequestRecord, type RequestState, type ReserveOutcome, type StockService } from '@seckill/stock';
import type { Public } from './public';

interface Request {
  state: RequestState;
  userId: number;
  itemId: number;
  reservedAt: number;
}

/**
 * The stock scripts' rules in memory (libs/infrastructure/stock/src/scripts/*.lua, whose own behaviour is proven against
 * real Redis in stock.int.spec.ts), so services that use StockService can be tested without Redis. Only the
 * rules the services depend on are kept; `failNext(err)` stands in for Redis being away.
 */
export class FakeStock implements Public<StockService> {
  readonly keys = new StockKeys('fake:');
  readonly counters = new Map<number, number>();
  readonly buyers = new Map<number, Map<number, string>>();
  readonly requests = new Map<string, Request>();
  readonly fences = new Map<number, number>();
  readonly stored = new Map<string, { userId: number; result: string }>();
  private failures: unknown[] = [];
  now = () => Date.now();

  failNext(err: unknown, times = 1): void {
    for (let i = 0; i < times; i++) this.failures.push(err);
  }

  private check(): void {
    const err = this.failures.shift();
    if (err !== undefined) throw err;
  }

  private buyersOf(itemId: number): Map<number, string> {
    let b = this.buyers.get(itemId);
    if (!b) this.buyers.set(itemId, (b = new Map()));
    return b;
  }

  async reserve(itemId: number, userId: number, uuid: string): Promise<ReserveOutcome> {
    this.check();
    const req = this.requests.get(uuid);
    // A uuid is one shopper's, for one item (StockService's pointer): another item under it is refused too.
    if (req && (req.userId !== userId || req.itemId !== itemId)) return { kind: 'FOREIGN' };
    if (req && req.state !== 'ABANDONED') return { kind: 'DUPLICATE', state: req.state };
    if (this.fences.has(itemId)) return { kind: 'RECOVERING' };
    const holder = this.buyersOf(itemId).get(userId);
    if (holder === uuid) return { kind: 'DUPLICATE', state: 'QUEUED' };
    if (holder) return { kind: 'ALREADY_ORDERED' };
    const left = this.counters.get(itemId);
    if (left === undefined) return { kind: 'NOT_LOADED' };
    if (left <= 0) return { kind: 'SOLD_OUT' };
    this.counters.set(itemId, left - 1);
    this.buyersOf(itemId).set(userId, uuid);
    this.requests.set(uuid, { state: 'PUBLISHING', userId, itemId, reservedAt: this.now() });
    return { kind: 'RESERVED', stockLeft: left - 1 };
  }

  async markQueued(itemId: number, userId: number, uuid: string): Promise<string> {
    this.check();
    const req = this.requests.get(uuid);
    if (!req) {
      this.requests.set(uuid, { state: 'QUEUED', userId, itemId, reservedAt: this.now() });
      return 'QUEUED';
    }
    if (req.state === 'PUBLISHING') req.state = 'QUEUED';
    return req.state;
  }

  async abandon(itemId: number, userId: number, uuid: string): Promise<boolean> {
    this.check();
    const req = this.requests.get(uuid);
    if (!req) {
      this.requests.set(uuid, { state: 'ABANDONED', userId, itemId, reservedAt: this.now() });
      return true;
    }
    if (req.state !== 'PUBLISHING') return false;
    req.state = 'ABANDONED';
    this.giveBack(itemId, userId, uuid, true);
    return true;
  }

  async release(itemId: number, userId: number, uuid: string, returnUnit = true): Promise<boolean> {
    this.check();
    if (this.buyersOf(itemId).get(userId) !== uuid) return false;
    const req = this.requests.get(uuid);
    if (req) req.state = 'RELEASED';
    return this.giveBack(itemId, userId, uuid, returnUnit);
  }

  async releaseReplayed(itemId: number, userId: number, uuid: string): Promise<boolean> {
    this.check();
    const req = this.requests.get(uuid);
    if (!req || (req.state !== 'PUBLISHING' && req.state !== 'QUEUED')) return false;
    req.state = 'RELEASED';
    if (this.buyersOf(itemId).get(userId) !== uuid) return false;
    return this.giveBack(itemId, userId, uuid, true);
  }

  async claim(requests: readonly { itemId: number; uuid: string }[]): Promise<ClaimState[]> {
    this.check();
    return requests.map(({ uuid }) => {
      const req = this.requests.get(uuid);
      if (!req) return 'MISSING';
      if (req.state === 'PUBLISHING' || req.state === 'QUEUED') req.state = 'CLAIMED';
      return req.state === 'CLAIMED' ? 'CLAIMED' : (req.state as ClaimState);
    });
  }

  async publishingBefore(itemId: number, cutoffMs: number): Promise<string[]> {
    this.check();
    return [...this.requests].filter(([, r]) => r.itemId === itemId && r.state === 'PUBLISHING' && r.reservedAt <= cutoffMs).map(([u]) => u);
  }

  async oldestPublishing(itemId: number): Promise<number | null> {
    this.check();
    const times = [...this.requests.values()].filter((r) => r.itemId === itemId && r.state === 'PUBLISHING').map((r) => r.reservedAt);
    return times.length ? Math.min(...times) : null;
  }

  async releaseStranded(itemId: number, uuid: string): Promise<boolean> {
    this.check();
    const req = this.requests.get(uuid);
    if (!req || req.state !== 'PUBLISHING') return false;
    req.state = 'ABANDONED';
    return this.giveBack(itemId, req.userId, uuid, true);
  }

  async load(itemId: number, stockLeft: number, buyers: readonly LiveBuyer[]): Promise<boolean> {
    this.check();
    if (this.counters.has(itemId)) return false;
    this.counters.set(itemId, Math.max(0, stockLeft));
    for (const b of buyers) this.buyersOf(itemId).set(b.userId, b.uuid);
    return true;
  }

  async fence(itemId: number): Promise<boolean> {
    this.check();
    if (this.counters.has(itemId)) return false;
    if (!this.fences.has(itemId)) this.fences.set(itemId, this.now());
    return true;
  }

  async fenced(): Promise<{ itemId: number; sinceMs: number }[]> {
    this.check();
    return [...this.fences].map(([itemId, sinceMs]) => ({ itemId, sinceMs }));
  }

  async recovering(): Promise<boolean> {
    this.check();
    return this.fences.size > 0;
  }

  async add(itemId: number, delta: number): Promise<number | null> {
    this.check();
    const left = this.counters.get(itemId);
    if (left === undefined) return null;
    this.counters.set(itemId, left + delta);
    return left + delta;
  }

  async stockLeft(itemIds: readonly number[]): Promise<(number | null)[]> {
    this.check();
    return itemIds.map((id) => this.counters.get(id) ?? null);
  }

  async request(uuid: string): Promise<RequestRecord | null> {
    this.check();
    const r = this.requests.get(uuid);
    return r ? { state: r.state, userId: r.userId, seckillGoodId: r.itemId } : null;
  }

  async reconcile(
    itemId: number,
    mode: ReconcileMode,
    pgStockLeft: number,
    live: readonly LiveBuyer[],
    decided: readonly string[],
  ): Promise<ReconcileResult> {
    this.check();
    const held = this.fences.has(itemId);
    const before = this.counters.get(itemId) ?? null;
    if (mode === 'reconcile' && held) return { status: 'HELD', before, after: null, inFlight: 0 };
    if (mode === 'reconcile' && before === null) return { status: 'MISSING', before, after: null, inFlight: 0 };
    if (mode === 'lift' && !held) return { status: 'NOT_HELD', before, after: null, inFlight: 0 };
    const liveUsers = new Set(live.map((b) => b.userId));
    const liveUuids = new Set(live.map((b) => b.uuid));
    const done = new Set(decided);
    const inFlight = [...this.buyersOf(itemId)].filter(([user, uuid]) => !done.has(uuid) && !liveUuids.has(uuid) && !liveUsers.has(user));
    this.buyers.set(itemId, new Map([...live.map((b) => [b.userId, b.uuid] as const), ...inFlight]));
    const after = Math.max(0, pgStockLeft - inFlight.length);
    this.counters.set(itemId, after);
    if (mode === 'lift') this.fences.delete(itemId);
    return { status: 'OK', before, after, inFlight: inFlight.length };
  }

  async storedResult(uuid: string): Promise<{ userId: number; result: string } | null> {
    this.check();
    return this.stored.get(uuid) ?? null;
  }

  async buyerCount(itemId: number): Promise<number> {
    this.check();
    return this.buyersOf(itemId).size;
  }

  private giveBack(itemId: number, userId: number, uuid: string, returnUnit: boolean): boolean {
    const b = this.buyersOf(itemId);
    if (b.get(userId) === uuid) b.delete(userId);
    const left = this.counters.get(itemId);
    if (!returnUnit || left === undefined) return false;
    this.counters.set(itemId, left + 1);
    return true;
  }
}
