import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { ConsumeMessage } from 'amqplib';
import type Redis from 'ioredis';
import { appConfig } from '@seckill/config';
import { MESSAGE_VERSION, type OrderPlacedMessage } from '@seckill/contracts';
import { ConfirmedPublisher, Delivery, Exchange, Queue, RoutingKey } from '@seckill/messaging';
import { StockSync } from '@seckill/order-lifecycle';
import { createRedisClient, REDIS } from '@seckill/redis';
import { StockService } from '@seckill/stock';
import { createTestEnv, ResultCollector, seedSale, seedShoppers, sql, useInProcess, type TestEnv } from '@seckill/testing';
import { createWorker } from '../create-worker';
import { OrderPlacedHandler } from '../pending-orders/order-placed.handler';

/**
 * The worker restarts while orders are in flight (reserved in Redis, confirmed in the pending queue, not decided):
 * what it rebuilds in Redis from PostgreSQL at its start (ReconcileScheduler: a missing counter held, a present
 * one repaired by the sweep; FenceLifter releasing the held one) must neither drop those reservations nor count
 * their units twice once they are decided.
 */
let env: TestEnv;
let results: ResultCollector;
let shoppers: { id: number }[];
const apps: NestFastifyApplication[] = [];

before(async () => {
  env = await createTestEnv('worker-start-rebuild');
  useInProcess(env, {
    LOG_LEVEL: 'fatal',
    RECONCILE_INTERVAL_MS: '200',
    FENCE_CHECK_INTERVAL_MS: '250',
    FENCE_STATS_LAG_MS: '200',
    PUBLISH_CONFIRM_TIMEOUT_MS: '200',
    // The in-flight reservations are confirmed (QUEUED): nothing here is stranded.
    STRANDED_AFTER_MS: '600000',
  });
  results = await ResultCollector.start(env.amqpUrl);
  shoppers = await seedShoppers(env.databaseUrl, 20);
});

after(async () => {
  await results?.close();
  for (const app of apps) await app.close();
  await env?.cleanup();
});

/** A worker wired and bootstrapped (ReconcileScheduler, FenceLifter, ... running) but not consuming yet. */
async function startWorker(): Promise<NestFastifyApplication> {
  const app = await createWorker(appConfig());
  apps.push(app);
  await app.init();
  return app;
}

function delivery(message: OrderPlacedMessage): Delivery {
  const msg = { content: Buffer.from(JSON.stringify(message)), fields: {}, properties: { headers: {} } } as unknown as ConsumeMessage;
  return new Delivery(msg, {} as never, () => false);
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function pgOf(itemId: number): Promise<{ stockLeft: number; orders: number }> {
  const [row] = await sql<{ stock_left: number; orders: string }>(
    env.databaseUrl,
    `SELECT g.stock_left, (SELECT count(*) FROM orders o WHERE o.seckill_good_id = g.id) AS orders FROM seckill_goods g WHERE g.id = $1`,
    [itemId],
  );
  return { stockLeft: row!.stock_left, orders: Number(row!.orders) };
}

describe('the worker restarting with reservations in flight', () => {
  it('repairs a drifted counter and holds a lost one without dropping them, and once they are decided Redis equals PostgreSQL', async () => {
    // The worker that ran before: it loaded two items for the first time at its start; some orders were decided,
    // others are in flight.
    const drifted = await seedSale(env.databaseUrl, { stock: 10 });
    const lost = await seedSale(env.databaseUrl, { stock: 10 });
    const first = await startWorker();
    const firstStock = first.get(StockService);
    assert.deepEqual(await firstStock.stockLeft([drifted, lost]), [10, 10], 'first load at start: nothing can be in flight');
    assert.deepEqual(await firstStock.fenced(), []);
    const reserve = async (itemId: number, userId: number): Promise<OrderPlacedMessage> => {
      const uuid = randomUUID();
      assert.equal((await firstStock.reserve(itemId, userId, uuid)).kind, 'RESERVED');
      return { version: MESSAGE_VERSION, uuid, userId, seckillGoodId: itemId, placedAt: new Date().toISOString() };
    };
    const decided = [...(await Promise.all(shoppers.slice(0, 3).map((s) => reserve(drifted, s.id)))), ...(await Promise.all(shoppers.slice(0, 2).map((s) => reserve(lost, s.id))))];
    assert.deepEqual(await first.get(OrderPlacedHandler).handleBatch(decided.map(delivery)), Array(5).fill('ack'));
    const inFlight = [...(await Promise.all(shoppers.slice(3, 7).map((s) => reserve(drifted, s.id)))), ...(await Promise.all(shoppers.slice(3, 6).map((s) => reserve(lost, s.id))))];
    // order-api's side of each: the publish confirmed, then the request marked QUEUED.
    for (const m of inFlight) {
      await first.get(ConfirmedPublisher).publish(Exchange.ORDER, RoutingKey.ORDER_PENDING, m, { uuid: m.uuid });
      assert.equal(await firstStock.markQueued(m.seckillGoodId, m.userId, m.uuid), 'QUEUED');
    }
    // RabbitMQ's statistics (which the fence lifter reads) show the queued orders before anything is lost.
    await until('the management API showing 7 pending orders', async () => (await env.management.queue(env.vhost, Queue.PENDING).catch(() => undefined))?.messages === 7);
    await first.close();
    apps.splice(apps.indexOf(first), 1);

    // Meanwhile Redis drifted on one item (its counter says 10, and it lost a live buyer) and lost all it had of
    // the other one.
    const keys = firstStock.keys;
    const direct = createRedisClient(env.redisUrl, 'worker-start-rebuild-int');
    try {
      await direct.set(keys.stock(drifted), 10);
      await direct.hdel(keys.buyers(drifted), String(decided[0]!.userId));
      await direct.del(keys.stock(lost), keys.buyers(lost), ...[...decided, ...inFlight].filter((m) => m.seckillGoodId === lost).map((m) => keys.request(m.seckillGoodId, m.uuid)));
    } finally {
      await direct.quit();
    }

    // The worker starts again, still not consuming.
    const worker = await startWorker();
    const stock = worker.get(StockService);
    assert.deepEqual(await stock.fenced().then((held) => held.map((h) => h.itemId)), [lost], 'the lost counter is held at start, not rebuilt');
    assert.equal((await stock.reserve(lost, shoppers[10]!.id, randomUUID())).kind, 'RECOVERING');
    // The sweep repairs the drifted one: PostgreSQL's 7 units less the 4 in flight; their shoppers keep their place.
    await until('the sweep repairing the drifted counter', async () => (await stock.stockLeft([drifted]))[0] === 3);
    const buyers = await worker.get<Redis>(REDIS).hgetall(keys.buyers(drifted));
    assert.deepEqual(
      new Map(Object.entries(buyers)),
      new Map([...decided, ...inFlight].filter((m) => m.seckillGoodId === drifted).map((m) => [String(m.userId), m.uuid])),
      'live buyers restored, in-flight buyers kept',
    );
    assert.deepEqual(await pgOf(drifted), { stockLeft: 7, orders: 3 });
    assert.deepEqual(await stock.fenced().then((held) => held.map((h) => h.itemId)), [lost], 'still held: its queued orders are undecided');

    // The worker consumes: every order in flight is decided.
    await worker.startAllMicroservices();
    await results.waitForAll(inFlight.map((m) => m.uuid), 30_000);
    assert.deepEqual(inFlight.map((m) => results.results.get(m.uuid)?.status), Array(inFlight.length).fill('SUCCESS'), 'nothing in flight was lost');
    await until('the held item released once the queues are seen empty', async () => !(await stock.recovering()));

    for (const [itemId, sold] of [[drifted, 7], [lost, 5]] as const) {
      assert.deepEqual(await pgOf(itemId), { stockLeft: 10 - sold, orders: sold }, `item ${itemId}: every order once in PostgreSQL`);
      await until(`item ${itemId}: Redis settled on PostgreSQL`, async () => (await stock.stockLeft([itemId]))[0] === 10 - sold);
      assert.equal(await stock.buyerCount(itemId), sold, `item ${itemId}: one buyer per order`);
      const report = await worker.get(StockSync).reconcile(itemId);
      assert.deepEqual([report.before.redis, report.after.redis, report.repaired], [10 - sold, 10 - sold, false], `item ${itemId}: nothing counted twice, nothing left to repair`);
    }
    assert.equal((await stock.reserve(lost, shoppers[10]!.id, randomUUID())).kind, 'RESERVED', 'the released item sells again');
  });
});
