import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { loadConfig } from '@seckill/config';
import { DomainError, ErrorCode } from '@seckill/contracts';
import type { SaleItemRepository } from '@seckill/persistence';
import { asReal, FakeSaleItems } from '@seckill/testing';
import { SALE_CACHE_MAX_ENTRIES, SaleCache, type SaleWindow } from './sale-cache';

const TTL_MS = 1000;

/** The cache over fake sale items, counting the window queries PostgreSQL would get. */
function world() {
  const items = new FakeSaleItems();
  const cache = new SaleCache(asReal<SaleItemRepository>(items), loadConfig({ SALE_CACHE_TTL_MS: String(TTL_MS) }));
  const counter = { queries: 0 };
  const window = items.window.bind(items);
  items.window = (id: number) => {
    counter.queries++;
    return window(id);
  };
  return { items, cache, counter };
}

/** The fakes answer in microtasks: once the next macrotask runs, a background refresh has finished. */
const refreshed = () => new Promise<void>((resolve) => setImmediate(resolve));

const isPending = (v: SaleWindow | null | Promise<SaleWindow | null>): v is Promise<SaleWindow | null> => v instanceof Promise;

function useClock(t: TestContext): void {
  t.mock.timers.enable({ apis: ['Date'], now: Date.now() });
}

describe('SaleCache', () => {
  it('makes concurrent misses share one query, then answers from memory without waiting', async () => {
    const w = world();
    const item = w.items.add({});
    const misses = await Promise.all(Array.from({ length: 20 }, () => w.cache.get(item.id)));
    assert.equal(w.counter.queries, 1);
    assert.deepEqual(new Set(misses.map((m) => m?.endMs)), new Set([item.endTime.getTime()]));
    const hit = w.cache.get(item.id);
    assert.equal(isPending(hit), false, 'a cached window is answered synchronously');
    assert.equal(w.counter.queries, 1);
  });

  it('caches unknown ids too, so a flood of one bad id costs one query', async () => {
    const w = world();
    assert.equal(await w.cache.get(999), null);
    assert.equal(w.cache.get(999), null);
    assert.equal(w.counter.queries, 1);
  });

  it('serves an expired window while one background query refreshes it, then the new one', async (t) => {
    useClock(t);
    const w = world();
    const item = w.items.add({});
    const first = await w.cache.get(item.id);
    const later = new Date(item.endTime.getTime() + 60_000);
    w.items.items.get(item.id)!.endTime = later;
    t.mock.timers.tick(TTL_MS);
    const stale = w.cache.get(item.id);
    assert.equal(isPending(stale), false, 'no request waits for PostgreSQL on an expired entry');
    assert.deepEqual(stale, first);
    assert.deepEqual(w.cache.get(item.id), first);
    assert.equal(w.counter.queries, 2, 'the stale hits share one refresh');
    await refreshed();
    assert.equal((w.cache.get(item.id) as SaleWindow).endMs, later.getTime());
    assert.equal(w.counter.queries, 2);
  });

  it('keeps serving the expired window while PostgreSQL is away, and refreshes once it is back', async (t) => {
    useClock(t);
    const w = world();
    const item = w.items.add({});
    const first = await w.cache.get(item.id);
    t.mock.timers.tick(TTL_MS);
    w.items.failNext(new Error('Connection terminated unexpectedly'));
    assert.deepEqual(w.cache.get(item.id), first);
    await refreshed();
    const earlier = item.startTime.getTime() - 1000;
    w.items.items.get(item.id)!.startTime = new Date(earlier);
    assert.deepEqual(w.cache.get(item.id), first, 'still the old one, and another refresh under way');
    await refreshed();
    assert.equal((w.cache.get(item.id) as SaleWindow).startMs, earlier);
    assert.equal(w.counter.queries, 3);
  });

  it('answers TRY_AGAIN when the first load of an id fails, caches nothing, and loads it on the next request', async () => {
    const w = world();
    const item = w.items.add({});
    w.items.failNext(new Error('Connection terminated unexpectedly'));
    const failed = await Promise.allSettled([w.cache.get(item.id), w.cache.get(item.id)]);
    for (const r of failed) {
      assert.equal(r.status, 'rejected');
      assert.equal(r.status === 'rejected' && r.reason instanceof DomainError && r.reason.code, ErrorCode.TRY_AGAIN);
    }
    assert.equal(w.counter.queries, 1);
    assert.equal((await w.cache.get(item.id))?.id, item.id);
  });

  it('reads a window again after invalidate (a restock changed the item)', async () => {
    const w = world();
    const item = w.items.add({});
    await w.cache.get(item.id);
    w.cache.invalidate(item.id);
    assert.equal(isPending(w.cache.get(item.id)), true);
    assert.equal(w.counter.queries, 2);
  });

  it('holds at most SALE_CACHE_MAX_ENTRIES (100,000) known ids and evicts the least recently used one, not everything', async () => {
    const w = world();
    for (let n = 1; n <= SALE_CACHE_MAX_ENTRIES + 1; n++) w.items.add({});
    for (let id = 1; id <= SALE_CACHE_MAX_ENTRIES; id++) await w.cache.get(id);
    assert.equal(isPending(w.cache.get(1)), false, 'the last id that fits still fits; id 1 is now the most recently used');
    await w.cache.get(SALE_CACHE_MAX_ENTRIES + 1);
    assert.equal(isPending(w.cache.get(SALE_CACHE_MAX_ENTRIES + 1)), false);
    assert.equal(isPending(w.cache.get(1)), false, 'recently used: kept');
    assert.equal(isPending(w.cache.get(SALE_CACHE_MAX_ENTRIES)), false, 'every other entry kept too');
    assert.equal(isPending(w.cache.get(2)), true, 'only the least recently used entry went');
  });

  it('keeps the live sale\'s window through a flood of 30,000 random unknown ids, which evict only each other', async () => {
    const w = world();
    const live = w.items.add({});
    await w.cache.get(live.id);
    const queriesBefore = w.counter.queries;
    const random = Array.from({ length: 30_000 }, (_, n) => 1_000_000 + n * 7919);
    for (let from = 0; from < random.length; from += 1000) {
      assert.deepEqual(new Set(await Promise.all(random.slice(from, from + 1000).map((id) => w.cache.get(id)))), new Set([null]));
    }
    assert.equal(w.counter.queries - queriesBefore, 30_000, 'every random id was a miss: the flood really went through the cache');
    const hit = w.cache.get(live.id);
    assert.equal(isPending(hit), false, 'the live sale is still answered from memory');
    assert.equal((hit as SaleWindow).id, live.id);
    assert.equal(w.cache.get(random.at(-1)!), null, 'the latest unknown ids are cached (negative caching)');
    assert.equal(isPending(w.cache.get(random[0]!)), true, 'the oldest unknown ids were evicted, bounded at 10,000');
  });

  it('forgets an id\'s old answer when it becomes known (created after a miss was cached)', async (t) => {
    useClock(t);
    const w = world();
    assert.equal(await w.cache.get(1), null);
    const item = w.items.add({});
    t.mock.timers.tick(TTL_MS);
    assert.equal(w.cache.get(item.id), null, 'the stale miss is served while it refreshes');
    await refreshed();
    assert.equal((w.cache.get(item.id) as SaleWindow).id, item.id);
  });
});
