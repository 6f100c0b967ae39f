import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { loadConfig } from '@seckill/config';
import { StockSync } from '@seckill/order-lifecycle';
import type { SaleItemRepository } from '@seckill/persistence';
import type { StockService } from '@seckill/stock';
import { asReal, FakeSaleItems, FakeStock, recordingLogger } from '@seckill/testing';
import { LiveItems } from './live-items';
import { ReconcileScheduler } from './reconcile.scheduler';

const INTERVAL_MS = 30_000;
const pgAway = () => new Error('Connection terminated unexpectedly');

/** The scheduler's timer and clock are node:test's, so a sweep runs exactly when the test ticks past it. */
function world(t: TestContext) {
  t.mock.timers.enable({ apis: ['setInterval', 'Date'], now: Date.now() });
  const items = new FakeSaleItems();
  const stock = new FakeStock();
  const { logger, lines } = recordingLogger();
  const sync = new StockSync(asReal<SaleItemRepository>(items), asReal<StockService>(stock), logger);
  const scheduler = new ReconcileScheduler(sync, new LiveItems(sync), loadConfig({ RECONCILE_INTERVAL_MS: String(INTERVAL_MS) }), logger);
  t.after(() => scheduler.onApplicationShutdown());
  const left = async (...ids: number[]) => stock.stockLeft(ids);
  /** Redis lost the counter of an item it had loaded. */
  const lose = (id: number) => stock.counters.delete(id);
  /** The fakes answer in microtasks: once the next macrotask runs, the sweep a tick started has finished. */
  const swept = async () => {
    t.mock.timers.tick(INTERVAL_MS);
    await new Promise<void>((resolve) => setImmediate(resolve));
  };
  return { items, stock, sync, scheduler, lines, left, lose, swept };
}

describe('ReconcileScheduler', () => {
  it('at start loads the counters of live items never loaded, holds those Redis lost, and leaves the rest alone', async (t) => {
    const w = world(t);
    const fresh = w.items.add({ stock: 10 });
    const lost = w.items.add({ stock: 10 });
    const present = w.items.add({ stock: 10 });
    await w.sync.ensureLoaded(lost.id);
    await w.sync.ensureLoaded(present.id);
    w.lose(lost.id);
    await w.stock.add(present.id, 5); // drifted: the periodic sweep's business, not the start's
    await w.scheduler.onApplicationBootstrap();
    assert.deepEqual(await w.left(fresh.id, lost.id, present.id), [10, null, 15]);
    assert.deepEqual([...w.stock.fences.keys()], [lost.id]);
    const found = w.lines.filter((l) => l.msg === 'missing Redis counter found at start').map((l) => l.obj);
    assert.deepEqual(found, [{ seckillGoodId: fresh.id, outcome: 'loaded' }, { seckillGoodId: lost.id, outcome: 'held' }]);
  });

  it('starts even when PostgreSQL is away, and the first sweep does what the start could not', async (t) => {
    const w = world(t);
    const item = w.items.add({ stock: 10 });
    w.items.failNext(pgAway());
    await w.scheduler.onApplicationBootstrap();
    assert.equal(w.lines.some((l) => l.level === 'warn' && /could not check Redis counters at start/.test(l.msg ?? '')), true);
    assert.deepEqual(await w.left(item.id), [null]);
    await w.swept();
    assert.deepEqual(await w.left(item.id), [10]);
  });

  it('repairs every live item each interval, passing over a held one', async (t) => {
    const w = world(t);
    const held = w.items.add({ stock: 10 });
    const a = w.items.add({ stock: 10 });
    const b = w.items.add({ stock: 10 });
    for (const id of [held.id, a.id, b.id]) await w.sync.ensureLoaded(id);
    w.lose(held.id);
    await w.scheduler.onApplicationBootstrap();
    await w.stock.add(a.id, 3);
    await w.stock.add(b.id, -2);
    t.mock.timers.tick(INTERVAL_MS - 1);
    await new Promise<void>((resolve) => setImmediate(resolve));
    assert.deepEqual(await w.left(a.id, b.id), [13, 8], 'not before the interval');
    await w.swept();
    assert.deepEqual(await w.left(held.id, a.id, b.id), [null, 10, 10]);
    assert.equal(w.stock.fences.has(held.id), true, 'a held item is the FenceLifter\'s');
  });

  it('sweeps the last known items while PostgreSQL cannot list them; a fault mid-sweep waits for the next sweep', async (t) => {
    const w = world(t);
    const a = w.items.add({ stock: 10 });
    const b = w.items.add({ stock: 10 });
    await w.scheduler.onApplicationBootstrap();
    await w.swept();

    await w.stock.add(a.id, 1);
    await w.stock.add(b.id, 1);
    w.items.failNext(pgAway());
    await w.swept();
    assert.deepEqual(await w.left(a.id, b.id), [10, 10], 'the list came from memory, the repair from PostgreSQL');

    await w.stock.add(a.id, 1);
    await w.stock.add(b.id, 1);
    w.items.failNext(pgAway(), 2);
    await w.swept();
    assert.deepEqual(await w.left(a.id, b.id), [11, 11], 'the sweep stopped at the fault');
    assert.equal(w.lines.some((l) => l.level === 'warn' && /sweep failed/.test(l.msg ?? '')), true);
    await w.swept();
    assert.deepEqual(await w.left(a.id, b.id), [10, 10]);
  });
});
