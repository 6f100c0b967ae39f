import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { loadConfig } from '@seckill/config';
import { ErrorCode } from '@seckill/contracts';
import type { StockBroadcast } from '@seckill/messaging';
import { StockSync } from '@seckill/order-lifecycle';
import type { LoadLock, SaleItemRepository } from '@seckill/persistence';
import type { StockService } from '@seckill/stock';
import { asReal, FakeSaleItems, FakeStock, FakeStockBroadcast, recordingLogger, domainRefusal } from '@seckill/testing';
import { CATALOGUE_TTL_MS, SaleItemsService } from './sale-items.service';
import { SaleCache } from './sale-cache';

/** Errors the fault classifier blames on a dependency, as the drivers word them. */
const pgAway = () => new Error('Connection terminated unexpectedly');
const redisAway = () => new Error('Connection is closed.');

/** Date under the test's control, so the catalogue's one-second answer can be aged at will. */
function clock(t: TestContext): { later: () => void } {
  t.mock.timers.enable({ apis: ['Date'], now: Date.now() });
  return { later: () => t.mock.timers.tick(CATALOGUE_TTL_MS) };
}

function world() {
  const config = loadConfig({});
  const items = new FakeSaleItems();
  const stock = new FakeStock();
  const broadcast = new FakeStockBroadcast();
  const { logger, lines } = recordingLogger();
  const realItems = asReal<SaleItemRepository>(items);
  const saleCache = new SaleCache(realItems, config);
  const sync = new StockSync(realItems, asReal<StockService>(stock), logger);
  const saleItems = new SaleItemsService(realItems, asReal<StockService>(stock), sync, saleCache, asReal<StockBroadcast>(broadcast), logger);
  const counted = { lists: 0, finds: 0, stockReads: 0 };
  const list = items.list.bind(items);
  items.list = (limit?: number) => {
    counted.lists++;
    return list(limit);
  };
  const find = items.find.bind(items);
  items.find = (id: number) => {
    counted.finds++;
    return find(id);
  };
  const stockLeft = stock.stockLeft.bind(stock);
  stock.stockLeft = (ids: number[]) => {
    counted.stockReads++;
    return stockLeft(ids);
  };
  return { items, stock, broadcast, saleCache, saleItems, lines, counted };
}

const code = async (p: Promise<unknown>): Promise<string> => (await domainRefusal(p)).code;

const hour = 3_600_000;
const dto = (over: Partial<{ stock: number; startTime: string; endTime: string }> = {}) => ({
  name: 'Keyboard',
  price: '129',
  seckillPrice: '9.9',
  stock: 20,
  startTime: new Date(Date.now() - hour).toISOString(),
  endTime: new Date(Date.now() + hour).toISOString(),
  ...over,
});

describe('SaleItemsService list and detail', () => {
  it('shows what shoppers can still reserve: Redis\'s counter when loaded, PostgreSQL\'s copy before the first load', async (t) => {
    const { later } = clock(t);
    const w = world();
    const loaded = w.items.add({ name: 'loaded', stock: 10, stockLeft: 10 });
    const notYet = w.items.add({ name: 'not yet', stock: 7, startTime: new Date(Date.now() - 2 * hour) });
    await w.stock.load(loaded.id, 3, []);
    const list = await w.saleItems.list();
    assert.deepEqual(list.map((g) => [g.id, g.stockLeft, g.status]), [[loaded.id, 3, 'live'], [notYet.id, 7, 'live']]);
    assert.deepEqual([list[0]?.price, list[0]?.seckillPrice], ['100.00', '9.90']);
    assert.equal((await w.saleItems.detail(loaded.id)).stockLeft, 3);
    await w.stock.load(notYet.id, 0, []);
    later();
    assert.equal((await w.saleItems.detail(notYet.id)).status, 'sold_out');
  });

  it('serves the catalogue from memory while PostgreSQL is away, with live stock from Redis', async (t) => {
    const { later } = clock(t);
    const w = world();
    const a = w.items.add({ stock: 10 });
    const b = w.items.add({ stock: 5 });
    await w.stock.load(a.id, 10, []);
    await w.saleItems.list();
    await w.stock.add(a.id, -4);
    later();
    w.items.failNext(pgAway());
    const list = await w.saleItems.list();
    assert.deepEqual(list.map((g) => [g.id, g.stockLeft]).sort(), [[a.id, 6], [b.id, 5]]);
    later();
    w.items.failNext(pgAway());
    assert.equal((await w.saleItems.detail(b.id)).id, b.id);
    assert.equal(w.lines.filter((l) => l.level === 'warn' && /from memory/.test(l.msg ?? '')).length, 2);
  });

  it('rethrows the fault when PostgreSQL is away and nothing was served before, or the item is not in memory', async (t) => {
    const { later } = clock(t);
    const w = world();
    w.items.add({ stock: 1 });
    const first = pgAway();
    w.items.failNext(first);
    await assert.rejects(w.saleItems.list(), first, 'no catalogue yet: nothing to serve');
    await assert.rejects(w.saleItems.list(), first, 'the failure is the answer for the rest of the second');
    assert.equal(w.counted.lists, 1);
    later();
    await w.saleItems.list();
    const again = pgAway();
    w.items.failNext(again);
    await assert.rejects(w.saleItems.detail(999), again, 'unknown to memory: not a 404 while PostgreSQL cannot say');
  });

  it('does not hide an error that is not a dependency fault behind the copy in memory', async (t) => {
    const { later } = clock(t);
    const w = world();
    w.items.add({ stock: 1 });
    await w.saleItems.list();
    later();
    const bug = new Error('column "stock_lef" does not exist');
    w.items.failNext(bug);
    await assert.rejects(w.saleItems.list(), bug);
  });

  it('answers GOOD_NOT_FOUND for an unknown item while PostgreSQL answers', async () => {
    const w = world();
    assert.equal(await code(w.saleItems.detail(999)), ErrorCode.GOOD_NOT_FOUND);
  });

  it('shows PostgreSQL\'s stock while Redis is away, but rethrows a Redis error that is not a fault', async (t) => {
    const { later } = clock(t);
    const w = world();
    const item = w.items.add({ stock: 10, stockLeft: 8 });
    await w.stock.load(item.id, 2, []);
    w.stock.failNext(redisAway());
    assert.equal((await w.saleItems.detail(item.id)).stockLeft, 8);
    const bug = new Error('ERR unknown command');
    later();
    w.stock.failNext(bug);
    await assert.rejects(w.saleItems.list(), bug);
  });
});

describe('SaleItemsService catalogue cache', () => {
  it('answers 1,000 concurrent list() calls with one query, and a second later with one more', async (t) => {
    const { later } = clock(t);
    const w = world();
    const item = w.items.add({ stock: 10 });
    await w.stock.load(item.id, 10, []);
    const answers = await Promise.all(Array.from({ length: 1000 }, () => w.saleItems.list()));
    assert.deepEqual([w.counted.lists, w.counted.stockReads], [1, 1], 'one PostgreSQL query and one Redis read for the whole wave');
    assert.deepEqual(new Set(answers.map((a) => a[0]?.stockLeft)), new Set([10]));
    await w.stock.add(item.id, -3);
    t.mock.timers.tick(CATALOGUE_TTL_MS - 1);
    assert.equal((await w.saleItems.list())[0]?.stockLeft, 10, 'still the same answer within the second');
    assert.equal(w.counted.lists, 1);
    t.mock.timers.tick(1);
    const again = await Promise.all(Array.from({ length: 1000 }, () => w.saleItems.list()));
    assert.deepEqual([w.counted.lists, w.counted.stockReads], [2, 2]);
    assert.deepEqual(new Set(again.map((a) => a[0]?.stockLeft)), new Set([7]), 'a second later the stock is current');
    later();
    assert.equal((await w.saleItems.list())[0]?.stockLeft, 7);
    assert.equal(w.counted.lists, 3);
  });

  it('shares a refresh still in flight with the requests that arrive during it, even when it takes longer than the second', async (t) => {
    const { later } = clock(t);
    const w = world();
    w.items.add({ stock: 10 });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const list = w.items.list.bind(w.items);
    w.items.list = async (limit?: number) => {
      await gate;
      return list(limit);
    };
    const first = w.saleItems.list();
    const during = Array.from({ length: 50 }, () => w.saleItems.list());
    later();
    during.push(...Array.from({ length: 50 }, () => w.saleItems.list()));
    release();
    const all = await Promise.all([first, ...during]);
    assert.equal(w.counted.lists, 1);
    assert.equal(new Set(all).size, 1, 'the very same answer');
  });

  it('answers the detail of a listed item from the cached catalogue, and reads only ids it does not hold', async (t) => {
    const { later } = clock(t);
    const w = world();
    const item = w.items.add({ stock: 10 });
    await Promise.all(Array.from({ length: 100 }, () => w.saleItems.detail(item.id)));
    assert.deepEqual([w.counted.lists, w.counted.finds], [1, 0]);
    assert.equal(await code(w.saleItems.detail(999)), ErrorCode.GOOD_NOT_FOUND);
    assert.deepEqual([w.counted.lists, w.counted.finds], [1, 1]);
    later();
    await w.saleItems.detail(item.id);
    assert.deepEqual([w.counted.lists, w.counted.finds], [2, 1]);
  });

  it('shows a change made through this instance at once (create, restock)', async (t) => {
    clock(t);
    const w = world();
    assert.deepEqual(await w.saleItems.list(), []);
    const created = await w.saleItems.create(dto({ stock: 20 }));
    assert.deepEqual((await w.saleItems.list()).map((g) => g.id), [created.id]);
    await w.saleItems.addStock(created.id, { delta: 5 });
    assert.equal((await w.saleItems.list())[0]?.stockLeft, 25);
  });
});

describe('SaleItemsService.create', () => {
  it('creates the item in PostgreSQL and loads its counter into Redis at once', async () => {
    const w = world();
    const created = await w.saleItems.create(dto({ stock: 20 }));
    assert.deepEqual([created.name, created.stockTotal, created.stockLeft, created.status, created.price], ['Keyboard', 20, 20, 'live', '129.00']);
    assert.deepEqual(await w.stock.stockLeft([created.id]), [20]);
    assert.equal(w.items.items.get(created.id)?.loadedAt instanceof Date, true, 'a later loss of the counter is a hold, not a reload');
  });

  it('refuses a window that ends before it starts, and creates nothing', async () => {
    const w = world();
    const start = new Date(Date.now() + hour).toISOString();
    assert.equal(await code(w.saleItems.create(dto({ startTime: start, endTime: start }))), ErrorCode.VALIDATION_FAILED);
    assert.equal(w.items.items.size, 0);
  });

  it('forgets the catalogue in memory, so an outage right after does not serve a list without the new item', async () => {
    const w = world();
    w.items.add({ stock: 1 });
    await w.saleItems.list();
    await w.saleItems.create(dto());
    const fault = pgAway();
    w.items.failNext(fault);
    await assert.rejects(w.saleItems.list(), fault);
  });
});

describe('SaleItemsService.addStock', () => {
  it('adds units in PostgreSQL and Redis, refreshes the sale window, and tells every instance units are back', async () => {
    const w = world();
    const item = w.items.add({ stock: 10 });
    await w.saleItems.ensureLoaded(item.id);
    await w.stock.add(item.id, -10);
    await w.saleCache.get(item.id);
    assert.equal(w.saleCache.get(item.id) instanceof Promise, false, 'the window is cached');
    const shown = await w.saleItems.addStock(item.id, { delta: 5 });
    assert.deepEqual([shown.stockTotal, shown.stockLeft, shown.status], [15, 5, 'live']);
    assert.equal(w.items.items.get(item.id)?.stockLeft, 15);
    assert.deepEqual(w.broadcast.sent, [{ itemId: item.id, reason: 'restock' }]);
    assert.equal(w.saleCache.get(item.id) instanceof Promise, true, 'the window is read again');
  });

  it('refuses an unknown item and broadcasts nothing', async () => {
    const w = world();
    assert.equal(await code(w.saleItems.addStock(999, { delta: 5 })), ErrorCode.GOOD_NOT_FOUND);
    assert.deepEqual(w.broadcast.sent, []);
  });

  it('with no counter in Redis: loads it from PostgreSQL (new units included) on the first load, holds it after a loss', async () => {
    const w = world();
    const fresh = w.items.add({ stock: 10 });
    assert.equal((await w.saleItems.addStock(fresh.id, { delta: 5 })).stockLeft, 15);
    assert.deepEqual(await w.stock.stockLeft([fresh.id]), [15], 'loaded once, not 15 + 5');

    const lost = w.items.add({ stock: 10 });
    await w.saleItems.ensureLoaded(lost.id);
    w.stock.counters.delete(lost.id);
    await w.saleItems.addStock(lost.id, { delta: 5 });
    assert.deepEqual(await w.stock.stockLeft([lost.id]), [null]);
    assert.equal(w.stock.fences.has(lost.id), true, 'held until the queued orders are decided');
    assert.equal(w.items.items.get(lost.id)?.stockLeft, 15, 'PostgreSQL has the units for the lift');
  });
});

describe('SaleItemsService.ensureLoaded', () => {
  it('shares one load among the first wave of requests of a process, and loads afresh once it is over', async () => {
    const w = world();
    const item = w.items.add({ stock: 10 });
    let locks = 0;
    const withLoadLock = w.items.withLoadLock.bind(w.items);
    w.items.withLoadLock = <T>(id: number, fn: (lock: LoadLock | null) => Promise<T>) => {
      locks++;
      return withLoadLock(id, fn);
    };
    const outcomes = await Promise.all(Array.from({ length: 50 }, () => w.saleItems.ensureLoaded(item.id)));
    assert.deepEqual(new Set(outcomes), new Set(['loaded']));
    assert.equal(locks, 1, 'one PostgreSQL load for the whole wave');
    assert.equal(await w.saleItems.ensureLoaded(item.id), 'present');
    assert.equal(locks, 2);
  });

  it('does not keep a failed load: the next request tries again', async () => {
    const w = world();
    const item = w.items.add({ stock: 10 });
    const fault = pgAway();
    w.items.failNext(fault);
    const wave = await Promise.allSettled([w.saleItems.ensureLoaded(item.id), w.saleItems.ensureLoaded(item.id)]);
    assert.deepEqual(wave.map((r) => r.status), ['rejected', 'rejected']);
    assert.equal(await w.saleItems.ensureLoaded(item.id), 'loaded');
  });
});
