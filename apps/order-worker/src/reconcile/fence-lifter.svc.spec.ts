import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '@seckill/config';
import { Queue, RETRY_DELAYS, retryQueueName, type ManagementClient, type StockBroadcast } from '@seckill/messaging';
import { metrics } from '@seckill/observability';
import { StockSync } from '@seckill/order-lifecycle';
import type { SaleItemRepository } from '@seckill/persistence';
import type { StockService } from '@seckill/stock';
import { asReal, FakeManagementClient, FakeSaleItems, FakeStock, FakeStockBroadcast, recordingLogger } from '@seckill/testing';
import { FenceLifter } from './fence-lifter';

/** A hold may end this long after it began: a publish-confirm timeout plus the statistics' lag. */
const SETTLE_MS = 3000 + 10_000;
const PIPELINE = [Queue.PENDING, ...RETRY_DELAYS.map(retryQueueName)];

function world() {
  const config = loadConfig({ PUBLISH_CONFIRM_TIMEOUT_MS: '3000', FENCE_STATS_LAG_MS: '10000', RABBITMQ_URL: 'amqp://guest:guest@127.0.0.1:5672/sale%2F1' });
  const items = new FakeSaleItems();
  const stock = new FakeStock();
  const broadcast = new FakeStockBroadcast();
  const management = new FakeManagementClient();
  for (const q of PIPELINE) management.depths.set(q, 0);
  const { logger, lines } = recordingLogger();
  const sync = new StockSync(asReal<SaleItemRepository>(items), asReal<StockService>(stock), logger);
  const lifter = new FenceLifter(asReal<StockService>(stock), sync, asReal<StockBroadcast>(broadcast), config, logger, asReal<ManagementClient>(management));
  /** An item loaded, then lost by Redis and held since `heldAgoMs`; PostgreSQL has `stockLeft` by now. */
  async function held(heldAgoMs: number, stockLeft = 7): Promise<number> {
    const item = items.add({ stock: 10 });
    await sync.ensureLoaded(item.id);
    stock.counters.delete(item.id);
    stock.now = () => Date.now() - heldAgoMs;
    assert.equal(await sync.ensureLoaded(item.id), 'held');
    stock.now = () => Date.now();
    items.items.get(item.id)!.stockLeft = stockLeft;
    return item.id;
  }
  return { items, stock, broadcast, management, lifter, lines, held, sync };
}

const fenced = async (id: number) => (await metrics.stockFenced.get()).values.find((v) => v.labels.seckill_good_id === String(id))?.value;

describe('FenceLifter', () => {
  it('does not ask RabbitMQ about a hold younger than a confirm timeout plus the statistics\' lag', async () => {
    const w = world();
    const id = await w.held(SETTLE_MS - 1000);
    assert.deepEqual(await w.lifter.check(), []);
    assert.deepEqual(w.management.asked, []);
    assert.equal(w.stock.fences.has(id), true);
    assert.equal(await fenced(id), 1);
  });

  it('keeps the hold while an order queued before the loss may be undecided: a message in the pipeline, or no statistics yet', async () => {
    const w = world();
    const id = await w.held(SETTLE_MS + 1000);
    w.management.depths.set(retryQueueName(RETRY_DELAYS[1]), 1);
    assert.deepEqual(await w.lifter.check(), []);
    w.management.depths.set(retryQueueName(RETRY_DELAYS[1]), 0);
    w.management.depths.delete(Queue.PENDING);
    assert.deepEqual(await w.lifter.check(), []);
    assert.equal(w.stock.fences.has(id), true);
    assert.deepEqual(await w.stock.stockLeft([id]), [null]);
    assert.equal(w.lines.filter((l) => l.msg?.startsWith('held items wait')).length, 2);
  });

  it('releases a due hold once the whole pipeline is seen empty: Redis rebuilt from PostgreSQL, every instance told', async () => {
    const w = world();
    const id = await w.held(SETTLE_MS + 1000, 6);
    assert.deepEqual(await w.lifter.check(), [id]);
    assert.deepEqual(w.management.asked, ['sale/1'], 'the vhost of RABBITMQ_URL');
    assert.deepEqual(await w.stock.stockLeft([id]), [6]);
    assert.equal(await w.stock.recovering(), false);
    assert.deepEqual(w.broadcast.sent, [{ itemId: id, reason: 'reconcile' }]);
    assert.equal(await fenced(id), 0);
    assert.deepEqual(await w.lifter.check(), [], 'nothing held any more');
  });

  it('waits when the management API cannot be read, and releases at the next check', async () => {
    const w = world();
    const id = await w.held(SETTLE_MS + 1000);
    w.management.failNext(new Error('RabbitMQ management GET /api/queues/sale%2F1: 503'));
    assert.deepEqual(await w.lifter.check(), []);
    assert.equal(w.stock.fences.has(id), true);
    assert.equal(w.lines.some((l) => l.msg === 'could not check held items; retrying'), true);
    assert.deepEqual(await w.lifter.check(), [id]);
  });

  it('releases the other items when one cannot be rebuilt (PostgreSQL away for it), and that one at the next check', async () => {
    const w = world();
    const first = await w.held(SETTLE_MS + 1000);
    const second = await w.held(SETTLE_MS + 1000);
    w.items.failNext(new Error('Connection terminated unexpectedly'));
    assert.deepEqual(await w.lifter.check(), [second]);
    assert.equal(w.stock.fences.has(first), true);
    assert.equal(await fenced(first), 1);
    assert.deepEqual(await w.lifter.check(), [first]);
  });

  it('still releases when the broadcast fails (the sold-out flags expire by themselves)', async () => {
    const w = world();
    const id = await w.held(SETTLE_MS + 1000);
    w.broadcast.unitsBack = async () => {
      throw new Error('Channel closed');
    };
    assert.deepEqual(await w.lifter.check(), [id]);
    assert.equal(await w.stock.recovering(), false);
  });

  it('clears the gauge of an item another worker released', async () => {
    const w = world();
    const id = await w.held(SETTLE_MS - 1000);
    await w.lifter.check();
    assert.equal(await fenced(id), 1);
    await w.sync.reconcile(id, 'lift');
    await w.lifter.check();
    assert.equal(await fenced(id), 0);
  });
});
