import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { StockSync } from '@seckill/order-lifecycle';
import type { SaleItemRepository } from '@seckill/persistence';
import type { StockService } from '@seckill/stock';
import { asReal, FakeSaleItems, FakeStock, recordingLogger } from '@seckill/testing';
import { LiveItems } from './live-items';

/** How long a list read from PostgreSQL is used as is (live-items.ts). */
const FRESH_MS = 5000;

function world(t: TestContext) {
  t.mock.timers.enable({ apis: ['Date'], now: Date.now() });
  const items = new FakeSaleItems();
  const sync = new StockSync(asReal<SaleItemRepository>(items), asReal<StockService>(new FakeStock()), recordingLogger().logger);
  const counter = { reads: 0 };
  const liveIds = items.liveIds.bind(items);
  items.liveIds = () => {
    counter.reads++;
    return liveIds();
  };
  return { items, live: new LiveItems(sync), counter };
}

describe('LiveItems', () => {
  it('reads the list once for concurrent callers, and again only once it is older than 5 s', async (t) => {
    const w = world(t);
    const first = w.items.add({});
    const lists = await Promise.all([w.live.get(), w.live.get(), w.live.get()]);
    assert.deepEqual(lists, [[first.id], [first.id], [first.id]]);
    assert.equal(w.counter.reads, 1);
    const second = w.items.add({});
    t.mock.timers.tick(FRESH_MS - 1);
    assert.deepEqual(await w.live.get(), [first.id], 'still fresh');
    t.mock.timers.tick(1);
    assert.deepEqual(await w.live.get(), [first.id, second.id]);
    assert.equal(w.counter.reads, 2);
  });

  it('serves the last list while PostgreSQL cannot be read, and reads again at the next call', async (t) => {
    const w = world(t);
    const item = w.items.add({});
    await w.live.get();
    t.mock.timers.tick(FRESH_MS);
    w.items.failNext(new Error('Connection terminated unexpectedly'));
    assert.deepEqual(await w.live.get(), [item.id]);
    const added = w.items.add({});
    assert.deepEqual(await w.live.get(), [item.id, added.id], 'a failed read is not taken for a fresh one');
    assert.equal(w.counter.reads, 3);
  });

  it('serves an empty list when the very first read fails', async (t) => {
    const w = world(t);
    w.items.add({});
    w.items.failNext(new Error('Connection terminated unexpectedly'));
    assert.deepEqual(await w.live.get(), []);
  });
});
