import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { loadConfig } from '@seckill/config';
import type { StockBroadcast } from '@seckill/messaging';
import { metrics } from '@seckill/observability';
import { StockSync } from '@seckill/order-lifecycle';
import type { SaleItemRepository } from '@seckill/persistence';
import type { StockService } from '@seckill/stock';
import { asReal, FakeSaleItems, FakeStock, FakeStockBroadcast, recordingLogger } from '@seckill/testing';
import { LiveItems } from './live-items';
import { StrandedSweeper } from './stranded-sweeper';

const STRANDED_AFTER_MS = 10_000;

async function world() {
  const config = loadConfig({ STRANDED_AFTER_MS: String(STRANDED_AFTER_MS) });
  const items = new FakeSaleItems();
  const stock = new FakeStock();
  const broadcast = new FakeStockBroadcast();
  const { logger, lines } = recordingLogger();
  const sync = new StockSync(asReal<SaleItemRepository>(items), asReal<StockService>(stock), logger);
  const sweeper = new StrandedSweeper(asReal<StockService>(stock), new LiveItems(sync), asReal<StockBroadcast>(broadcast), config, logger);
  const a = items.add({ stock: 10 });
  const b = items.add({ stock: 10 });
  await sync.ensureLoaded(a.id);
  await sync.ensureLoaded(b.id);
  let shoppers = 100;
  /** A reservation made `ageMs` ago whose order-api never settled it (it died before the publish confirm). */
  async function reservedAgo(itemId: number, ageMs: number, userId = shoppers++): Promise<string> {
    const uuid = randomUUID();
    stock.now = () => Date.now() - ageMs;
    assert.equal((await stock.reserve(itemId, userId, uuid)).kind, 'RESERVED');
    stock.now = () => Date.now();
    return uuid;
  }
  const left = async (id: number) => (await stock.stockLeft([id]))[0];
  return { items, stock, broadcast, sweeper, lines, a: a.id, b: b.id, reservedAgo, left };
}

const strandedTotal = async () => (await metrics.reservationsStranded.get()).values[0]?.value ?? 0;
const oldestSeconds = async () => (await metrics.oldestPublishing.get()).values[0]?.value;

describe('StrandedSweeper', () => {
  it('releases reservations still PUBLISHING after STRANDED_AFTER_MS, once, with one broadcast per item, and counts them', async () => {
    const w = await world();
    const stranded = [await w.reservedAgo(w.a, STRANDED_AFTER_MS + 1000), await w.reservedAgo(w.a, STRANDED_AFTER_MS + 5000)];
    const young = await w.reservedAgo(w.a, 5000);
    const confirmed = await w.reservedAgo(w.b, STRANDED_AFTER_MS + 1000, 77);
    await w.stock.markQueued(w.b, 77, confirmed);
    const before = await strandedTotal();

    assert.equal(await w.sweeper.sweep(), 2);
    assert.equal(await w.left(w.a), 9, 'two units back, the young reservation keeps its own');
    for (const uuid of stranded) assert.equal((await w.stock.request(uuid))?.state, 'ABANDONED');
    assert.equal((await w.stock.request(young))?.state, 'PUBLISHING', 'its order-api may still get the confirm');
    assert.equal((await w.stock.request(confirmed))?.state, 'QUEUED');
    assert.deepEqual(w.broadcast.sent, [{ itemId: w.a, reason: 'order.fail' }]);
    assert.equal((await strandedTotal()) - before, 2);
    const oldest = await oldestSeconds();
    assert.ok(oldest !== undefined && oldest >= 5 && oldest < 6, `the oldest still publishing is the young one (${oldest}s)`);

    assert.equal(await w.sweeper.sweep(), 0, 'nothing is released twice');
    assert.equal(await w.left(w.a), 9);
    assert.equal(w.broadcast.sent.length, 1);
    assert.equal((await strandedTotal()) - before, 2);
  });

  it('lets the shopper\'s retry with the same requestId reserve afresh after the release', async () => {
    const w = await world();
    const uuid = await w.reservedAgo(w.a, STRANDED_AFTER_MS + 1000, 5);
    await w.sweeper.sweep();
    assert.equal((await w.stock.reserve(w.a, 5, uuid)).kind, 'RESERVED');
  });

  it('leaves a reservation the worker claimed between the listing and the release (the message did arrive)', async () => {
    const w = await world();
    const uuid = await w.reservedAgo(w.a, STRANDED_AFTER_MS + 1000);
    const releaseStranded = w.stock.releaseStranded.bind(w.stock);
    w.stock.releaseStranded = async (itemId: number, u: string) => {
      await w.stock.claim([{ itemId, uuid: u }]);
      return releaseStranded(itemId, u);
    };
    assert.equal(await w.sweeper.sweep(), 0);
    assert.equal((await w.stock.request(uuid))?.state, 'CLAIMED');
    assert.equal(await w.left(w.a), 9);
    assert.deepEqual(w.broadcast.sent, []);
  });

  it('reports zero when Redis is away instead of failing the worker, and releases on the next sweep', async () => {
    const w = await world();
    await w.reservedAgo(w.a, STRANDED_AFTER_MS + 1000);
    w.stock.failNext(new Error('Connection is closed.'));
    assert.equal(await w.sweeper.sweep(), 0);
    assert.equal(w.lines.some((l) => l.level === 'warn' && /sweep failed/.test(l.msg ?? '')), true);
    assert.equal(await w.sweeper.sweep(), 1);
  });

  it('still returns the units when the broadcast fails (the flags expire by themselves)', async () => {
    const w = await world();
    await w.reservedAgo(w.a, STRANDED_AFTER_MS + 1000);
    w.broadcast.unitsBack = async () => {
      throw new Error('Channel closed');
    };
    assert.equal(await w.sweeper.sweep(), 1);
    assert.equal(await w.left(w.a), 10);
    assert.equal(w.lines.some((l) => l.level === 'warn' && /broadcast failed/.test(l.msg ?? '')), true);
  });
});
