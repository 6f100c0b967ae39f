import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { lockWaiters, ownDatabase, seedFailure, seedItem, seedOrder, seedUser, type OwnDatabase } from './own-database';
import { SaleItemRepository } from './sale-items.repository';

const HOUR = 3_600_000;
let env: OwnDatabase;
let items: SaleItemRepository;

before(async () => {
  env = await ownDatabase('saleitems');
  items = new SaleItemRepository(env.db);
});
after(() => env.cleanup());

const newItem = (over: Partial<{ stock: number; startTime: Date; endTime: Date; name: string }> = {}) => ({
  name: 'Phone',
  price: '199.99',
  seckillPrice: '0.10',
  stock: 5,
  startTime: new Date(Date.now() - 60_000),
  endTime: new Date(Date.now() + HOUR),
  ...over,
});

describe('SaleItemRepository: create, find, window, list', () => {
  it('creates an item with all its stock left and money kept exact, found again by id', async () => {
    const spec = newItem();
    const created = await items.create(spec);
    assert.deepEqual(created, {
      id: created.id,
      name: 'Phone',
      price: '199.99',
      seckillPrice: '0.10',
      stockTotal: 5,
      stockLeft: 5,
      startTime: spec.startTime,
      endTime: spec.endTime,
      room: { enabled: false, admitPerSecond: 100, preQueueSeconds: 0 },
    });
    assert.deepEqual(await items.find(created.id), created);
    assert.deepEqual(await items.window(created.id), { id: created.id, startMs: spec.startTime.getTime(), endMs: spec.endTime.getTime(), room: created.room });
  });

  it('answers null for an unknown item', async () => {
    assert.equal(await items.find(999_999), null);
    assert.equal(await items.window(999_999), null);
  });

  it('refuses a window that ends before it starts, and negative stock (the schema checks)', async () => {
    const start = new Date();
    await assert.rejects(items.create(newItem({ startTime: start, endTime: start })), /seckill_goods_window/);
    await assert.rejects(items.create(newItem({ stock: -1 })), /check constraint/);
  });

  it('lists the latest start first (ties: the newer id), at most `limit`', async () => {
    const base = Date.now() + 10 * HOUR;
    const a = await items.create(newItem({ startTime: new Date(base), endTime: new Date(base + HOUR) }));
    const b = await items.create(newItem({ startTime: new Date(base + 1000), endTime: new Date(base + HOUR) }));
    const c = await items.create(newItem({ startTime: new Date(base + 1000), endTime: new Date(base + HOUR) }));
    const top = await items.list(3);
    assert.deepEqual(top.map((i) => i.id), [c.id, b.id, a.id]);
    assert.equal((await items.list(1)).length, 1);
  });
});

describe('SaleItemRepository.addStock', () => {
  it('adds to the total and to what is left', async () => {
    const id = await seedItem(env.db, { stock: 3 });
    await seedOrder(env.db, { userId: await seedUser(env.db), itemId: id });
    assert.equal(await items.addStock(id, 4), true);
    const found = await items.find(id);
    assert.equal(found?.stockTotal, 7);
    assert.equal(found?.stockLeft, 6);
  });

  it('answers false for an unknown item', async () => {
    assert.equal(await items.addStock(999_999, 1), false);
  });

  it('refuses to take away more than is left, changing nothing', async () => {
    const id = await seedItem(env.db, { stock: 2 });
    await assert.rejects(items.addStock(id, -3), /check constraint/);
    assert.equal((await items.find(id))?.stockLeft, 2);
  });

  it('loses no unit under 20 concurrent additions', async () => {
    const id = await seedItem(env.db, { stock: 0 });
    const results = await Promise.all(Array.from({ length: 20 }, () => items.addStock(id, 1)));
    assert.ok(results.every(Boolean));
    const found = await items.find(id);
    assert.equal(found?.stockTotal, 20);
    assert.equal(found?.stockLeft, 20);
  });
});

describe('SaleItemRepository.liveIds', () => {
  it('names the items on sale now or starting within the hour, by id, and no others', async () => {
    const now = Date.now();
    const onSale = await seedItem(env.db, {});
    const soon = await seedItem(env.db, { startTime: new Date(now + HOUR / 2), endTime: new Date(now + 2 * HOUR) });
    const later = await seedItem(env.db, { startTime: new Date(now + 2 * HOUR), endTime: new Date(now + 3 * HOUR) });
    const ended = await seedItem(env.db, { startTime: new Date(now - 2 * HOUR), endTime: new Date(now - 1000) });
    const ids = await items.liveIds();
    assert.ok(ids.includes(onSale) && ids.includes(soon));
    assert.ok(!ids.includes(later) && !ids.includes(ended));
    assert.deepEqual(ids, [...ids].sort((x, y) => x - y));
  });
});

describe('SaleItemRepository.snapshot', () => {
  it('reads units left, the live buyers (UNPAID and PAID) and every decided request of the item only', async () => {
    const id = await seedItem(env.db, { stock: 10 });
    const other = await seedItem(env.db, { stock: 10 });
    const [u1, u2, u3, u4] = await Promise.all([1, 2, 3, 4].map(() => seedUser(env.db)));
    const unpaid = await seedOrder(env.db, { userId: u1!, itemId: id });
    const paid = await seedOrder(env.db, { userId: u2!, itemId: id, status: 'PAID' });
    const cancelled = await seedOrder(env.db, { userId: u3!, itemId: id, status: 'CANCELLED' });
    const failed = await seedFailure(env.db, { userId: u4!, itemId: id });
    await seedOrder(env.db, { userId: u4!, itemId: other });
    const snap = await items.snapshot(id);
    assert.equal(snap?.stockLeft, 7);
    assert.deepEqual(
      [...snap!.live].sort((a, b) => a.userId - b.userId),
      [
        { userId: u1!, uuid: unpaid.uuid },
        { userId: u2!, uuid: paid.uuid },
      ].sort((a, b) => a.userId - b.userId),
    );
    assert.deepEqual([...snap!.decided].sort(), [unpaid.uuid, paid.uuid, cancelled.uuid, failed].sort());
  });

  it('answers null for an unknown item', async () => {
    assert.equal(await items.snapshot(999_999), null);
  });
});

describe('SaleItemRepository.withLoadLock', () => {
  it('hands null to the function for an unknown item', async () => {
    assert.equal(await items.withLoadLock(999_999, async (lock) => lock), null);
  });

  it('reports an item never loaded, then loaded once markLoaded committed', async () => {
    const id = await seedItem(env.db, { stock: 4 });
    const user = await seedUser(env.db);
    const order = await seedOrder(env.db, { userId: user, itemId: id });
    await items.withLoadLock(id, async (lock) => {
      assert.equal(lock?.stockLeft, 3);
      assert.equal(lock?.loadedBefore, false);
      assert.deepEqual(await lock!.liveBuyers(), [{ userId: user, uuid: order.uuid }]);
      await lock!.markLoaded();
    });
    assert.equal(await items.withLoadLock(id, async (lock) => lock?.loadedBefore), true);
  });

  it('rolls markLoaded back when the function fails', async () => {
    const id = await seedItem(env.db);
    await assert.rejects(
      items.withLoadLock(id, async (lock) => {
        await lock!.markLoaded();
        throw new Error('Redis refused the load');
      }),
      /Redis refused the load/,
    );
    assert.equal(await items.withLoadLock(id, async (lock) => lock?.loadedBefore), false);
  });

  it('makes two loaders of one item take turns: the second sees what the first committed', async () => {
    const id = await seedItem(env.db);
    let releaseFirst!: () => void;
    const firstHolds = new Promise<void>((r) => (releaseFirst = r));
    let firstIn!: () => void;
    const firstEntered = new Promise<void>((r) => (firstIn = r));
    const order: string[] = [];
    const first = items.withLoadLock(id, async (lock) => {
      order.push('first in');
      firstIn();
      await firstHolds;
      await lock!.markLoaded();
      order.push('first out');
    });
    // The first holds the row lock before the second asks for it.
    await firstEntered;
    const second = items.withLoadLock(id, async (lock) => {
      order.push('second in');
      return lock?.loadedBefore;
    });
    await lockWaiters(env.db, 1);
    assert.deepEqual(order, ['first in'], 'the second waits on the lock');
    releaseFirst();
    await first;
    assert.equal(await second, true);
    assert.deepEqual(order, ['first in', 'first out', 'second in']);
  });
});

describe('SaleItemRepository.opsSummary', () => {
  it('counts the orders and requests of each item by status, and leaves out items ended over a day ago', async () => {
    const now = Date.now();
    const id = await seedItem(env.db, { stock: 10, startTime: new Date(now + 20 * HOUR), endTime: new Date(now + 21 * HOUR) });
    const quiet = await seedItem(env.db, { startTime: new Date(now + 19 * HOUR), endTime: new Date(now + 21 * HOUR) });
    const old = await seedItem(env.db, { startTime: new Date(now - 30 * HOUR), endTime: new Date(now - 25 * HOUR) });
    const users = await Promise.all([1, 2, 3, 4].map(() => seedUser(env.db)));
    await seedOrder(env.db, { userId: users[0]!, itemId: id });
    await seedOrder(env.db, { userId: users[1]!, itemId: id, status: 'PAID' });
    await seedOrder(env.db, { userId: users[2]!, itemId: id, status: 'TIMEOUT' });
    await seedFailure(env.db, { userId: users[3]!, itemId: id, uuid: randomUUID() });
    const summary = await items.opsSummary(500);
    const row = summary.find((r) => r.id === id);
    assert.deepEqual(row?.orders, { UNPAID: 1, PAID: 1, TIMEOUT: 1 });
    assert.deepEqual(row?.requests, { SUCCESS: 3, FAIL: 1 });
    assert.equal(row?.stockLeft, 7);
    assert.deepEqual(summary.find((r) => r.id === quiet)?.orders, {});
    assert.deepEqual(summary.find((r) => r.id === quiet)?.requests, {});
    assert.equal(summary.find((r) => r.id === old), undefined);
    assert.deepEqual(summary.slice(0, 2).map((r) => r.id), [id, quiet], 'latest start first');
  });
});
