import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { metrics } from '@seckill/observability';
import type { SaleItemRepository } from '@seckill/persistence';
import type { StockService } from '@seckill/stock';
import { asReal, FakeSaleItems, FakeStock, recordingLogger, domainRefusal } from '@seckill/testing';
import { StockSync } from './stock-sync';

function world() {
  const items = new FakeSaleItems();
  const stock = new FakeStock();
  const { logger, lines } = recordingLogger();
  const sync = new StockSync(asReal<SaleItemRepository>(items), asReal<StockService>(stock), logger);
  /** Redis loses everything it had about the item (restarted empty). */
  const lose = (id: number) => {
    stock.counters.delete(id);
    stock.buyers.delete(id);
  };
  return { items, stock, sync, lines, lose };
}

async function code(p: Promise<unknown>): Promise<string> {
  const e = await domainRefusal(p);
  return `${e.code}: ${e.message}`;
}

async function driftOf(id: number): Promise<number | undefined> {
  return (await metrics.stockDrift.get()).values.find((v) => v.labels.seckill_good_id === String(id))?.value;
}

describe('StockSync.ensureLoaded', () => {
  it('loads an item\'s first counter (with its live buyers) from PostgreSQL and records the load', async () => {
    const w = world();
    const item = w.items.add({ stock: 10, stockLeft: 7 });
    w.items.live.set(item.id, [{ userId: 3, uuid: randomUUID() }]);
    assert.equal(await w.sync.ensureLoaded(item.id), 'loaded');
    assert.deepEqual(await w.stock.stockLeft([item.id]), [7]);
    assert.equal((await w.stock.reserve(item.id, 3, randomUUID())).kind, 'ALREADY_ORDERED', 'a live buyer stays one');
    assert.equal(w.items.items.get(item.id)?.loadedAt instanceof Date, true);
    assert.equal(await w.sync.ensureLoaded(item.id), 'present', 'already there: nothing reloaded');
  });

  it('holds an item whose counter Redis lost after it had been loaded, instead of reloading it', async () => {
    const w = world();
    const item = w.items.add({ stock: 10 });
    await w.sync.ensureLoaded(item.id);
    w.lose(item.id);
    assert.equal(await w.sync.ensureLoaded(item.id), 'held');
    assert.deepEqual(await w.stock.stockLeft([item.id]), [null], 'no counter rebuilt from PostgreSQL alone');
    assert.equal((await w.stock.reserve(item.id, 1, randomUUID())).kind, 'RECOVERING');
    assert.equal(w.lines.some((l) => l.level === 'warn' && /held/.test(l.msg ?? '')), true);
  });

  it('answers present when another process loaded the counter between the check and the load', async () => {
    const w = world();
    const item = w.items.add({ stock: 10 });
    const load = w.stock.load.bind(w.stock);
    w.stock.load = async (...args) => {
      await load(item.id, 4, []);
      return load(...args);
    };
    assert.equal(await w.sync.ensureLoaded(item.id), 'present');
    assert.deepEqual(await w.stock.stockLeft([item.id]), [4], 'the other process\'s load stands');
  });

  it('refuses an unknown item', async () => {
    const w = world();
    assert.match(await code(w.sync.ensureLoaded(404)), /^GOOD_NOT_FOUND/);
  });
});

describe('StockSync.reconcile', () => {
  it('repairs a counter that drifted from PostgreSQL, keeping the reservations still in flight, and reports the drift', async () => {
    const w = world();
    const item = w.items.add({ stock: 10, stockLeft: 6 });
    await w.sync.ensureLoaded(item.id);
    const decided = randomUUID();
    const live = { userId: 1, uuid: decided };
    await w.stock.reserve(item.id, 1, decided);
    await w.stock.reserve(item.id, 2, randomUUID()); // still in the queue: PostgreSQL does not know it yet
    // PostgreSQL decided the first (6 → 5); Redis meanwhile drifted (a lost release, a bug): 9 instead of 4.
    w.items.items.get(item.id)!.stockLeft = 5;
    w.items.live.set(item.id, [live]);
    w.items.decided.set(item.id, [decided]);
    w.stock.counters.set(item.id, 9);
    const report = await w.sync.reconcile(item.id);
    assert.deepEqual(report, { before: { redis: 9, db: 5 }, after: { redis: 4, db: 5 }, repaired: true });
    assert.deepEqual(await w.stock.stockLeft([item.id]), [4], 'PostgreSQL minus the one in flight');
    assert.equal(await driftOf(item.id), 5);
    assert.equal(w.lines.some((l) => l.msg === 'stock drift repaired'), true);

    const again = await w.sync.reconcile(item.id);
    assert.equal(again.repaired, false);
    assert.equal(await driftOf(item.id), 0);
  });

  it('leaves a held item to the lift (TRY_AGAIN) and rebuilds nothing', async () => {
    const w = world();
    const item = w.items.add({ stock: 10 });
    await w.sync.ensureLoaded(item.id);
    w.lose(item.id);
    await w.sync.ensureLoaded(item.id);
    assert.match(await code(w.sync.reconcile(item.id)), /^TRY_AGAIN: .*held/);
    assert.deepEqual(await w.stock.stockLeft([item.id]), [null]);
    assert.equal(w.stock.fences.has(item.id), true);
  });

  it('with a missing counter: loads it on the item\'s first load and then reports, or holds it after a loss', async () => {
    const w = world();
    const fresh = w.items.add({ stock: 3 });
    const report = await w.sync.reconcile(fresh.id);
    assert.deepEqual(report, { before: { redis: 3, db: 3 }, after: { redis: 3, db: 3 }, repaired: false });
    assert.equal(w.items.items.get(fresh.id)?.loadedAt instanceof Date, true);

    w.lose(fresh.id);
    assert.match(await code(w.sync.reconcile(fresh.id)), /^TRY_AGAIN: .*held/);
    assert.equal(w.stock.fences.has(fresh.id), true);
    assert.deepEqual(await w.stock.stockLeft([fresh.id]), [null]);
  });

  it('refuses an unknown item', async () => {
    const w = world();
    assert.match(await code(w.sync.reconcile(404)), /^GOOD_NOT_FOUND/);
  });
});

describe('StockSync lift', () => {
  it('releases a held item: Redis rebuilt from PostgreSQL, the hold gone, orders reserve again', async () => {
    const w = world();
    const item = w.items.add({ stock: 10 });
    await w.sync.ensureLoaded(item.id);
    w.lose(item.id);
    await w.sync.ensureLoaded(item.id);
    w.items.items.get(item.id)!.stockLeft = 8; // the orders queued before the loss were decided meanwhile
    const report = await w.sync.reconcile(item.id, 'lift');
    assert.deepEqual(report, { before: { redis: null, db: 8 }, after: { redis: 8, db: 8 }, repaired: true });
    assert.equal(await w.stock.recovering(), false);
    assert.equal((await w.stock.reserve(item.id, 1, randomUUID())).kind, 'RESERVED');
    assert.equal(w.lines.some((l) => l.level === 'warn' && /held item released/.test(l.msg ?? '')), true);
  });

  it('answers TRY_AGAIN when the item is no longer held (another worker lifted it first)', async () => {
    const w = world();
    const item = w.items.add({ stock: 10 });
    await w.sync.ensureLoaded(item.id);
    assert.match(await code(w.sync.reconcile(item.id, 'lift')), /^TRY_AGAIN: .*no longer held/);
    assert.deepEqual(await w.stock.stockLeft([item.id]), [10]);
  });
});

describe('StockSync reads', () => {
  it('lists live items and tells which of them have no counter', async () => {
    const w = world();
    const loaded = w.items.add({ stock: 1 });
    const unloaded = w.items.add({ stock: 1 });
    w.items.add({ startTime: new Date(Date.now() - 7_200_000), endTime: new Date(Date.now() - 3_600_000) });
    await w.sync.ensureLoaded(loaded.id);
    const live = await w.sync.liveItems();
    assert.deepEqual([...live].sort(), [loaded.id, unloaded.id]);
    assert.deepEqual(await w.sync.missingCounters(live), [unloaded.id]);
  });
});
