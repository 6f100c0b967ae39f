import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Redis from 'ioredis';
import type { OrderResult } from '@seckill/contracts';
import { StockKeys } from '@seckill/stock';
import {
  AppProcess,
  burst,
  createTestEnv,
  freePort,
  maxOverlap,
  mintToken,
  request,
  ResultCollector,
  seedSale,
  seedShoppers,
  sql,
  TEST_JWT_SECRET,
  type BurstResult,
  type TestEnv,
} from '@seckill/testing';

/**
 * The whole order path with real processes: order-api and order-worker run as separate programs against
 * real PostgreSQL, Redis and RabbitMQ, and 2,000 shoppers order 100 units at once.
 */
const SHOPPERS = 2000;
const UNITS = 100;

let env: TestEnv;
let api: AppProcess;
let worker: AppProcess;
let results: ResultCollector;
let redis: Redis;
let keys: StockKeys;

before(async () => {
  env = await createTestEnv('e2e-order-path');
  results = await ResultCollector.start(env.amqpUrl);
  api = new AppProcess('order-api', `e2e-order-api-${env.id}`, await freePort(), env.vars);
  worker = new AppProcess('order-worker', `e2e-order-worker-${env.id}`, await freePort(), env.vars);
  await Promise.all([api.start(), worker.start()]);
  redis = new Redis(env.redisUrl);
  keys = new StockKeys(env.redisKeyPrefix);
});

after(async () => {
  await api?.stop();
  await worker?.stop();
  await results?.close();
  redis?.disconnect();
  await env?.cleanup();
});

interface Sale {
  goodId: number;
  shoppers: { id: number; token: string }[];
}

async function prepareSale(label: string): Promise<Sale> {
  const goodId = await seedSale(env.databaseUrl, { name: label, stock: UNITS });
  const users = await seedShoppers(env.databaseUrl, SHOPPERS, label);
  return { goodId, shoppers: users.map((u) => ({ id: u.id, token: mintToken(TEST_JWT_SECRET, u) })) };
}

function fire(sale: Sale): Promise<BurstResult<{ uuid?: string; code?: string }>[]> {
  return burst(`${api.url}/api/seckill/orders`, sale.shoppers.map((s) => ({ token: s.token, body: { seckillGoodId: sale.goodId } })));
}

/** Every invariant of the sale, checked through the API, Redis and PostgreSQL. */
async function assertInvariants(sale: Sale, responses: BurstResult<{ uuid?: string; code?: string }>[]): Promise<void> {
  const byStatus = new Map<number, number>();
  for (const r of responses) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
  assert.ok(responses.every((r) => r.status === 202 || (r.status === 409 && r.body.code === 'SOLD_OUT')), `statuses: ${JSON.stringify([...byStatus])}`);
  assert.ok(maxOverlap(responses) >= 100, `requests really overlapped (max in flight ${maxOverlap(responses)})`);

  const accepted = responses.filter((r) => r.status === 202).map((r) => r.body.uuid!);
  assert.ok(accepted.length >= UNITS, `at least ${UNITS} accepted, got ${accepted.length}`);
  await results.waitForAll(accepted, 60_000);
  assert.deepEqual(results.conflicts, [], 'a replayed outcome never differs from the first');

  const outcomes = accepted.map((u) => results.results.get(u)!);
  assert.equal(outcomes.filter((o) => o.status === 'SUCCESS').length, UNITS, 'exactly the stock was sold');
  assert.ok(outcomes.every((o) => o.status === 'SUCCESS' || o.status === 'FAIL'));

  // The polling API agrees with the pushed outcome for every accepted request.
  const owner = new Map(sale.shoppers.map((s) => [s.id, s.token]));
  for (const o of outcomes) {
    const polled = await request<OrderResult>(api.url, 'GET', `/api/seckill/orders/${o.uuid}`, { token: owner.get(o.userId)! });
    assert.equal(polled.status, 200);
    assert.equal(polled.body.status, o.status);
    assert.equal(polled.body.orderNo, o.orderNo);
  }

  const [orders] = await sql<{ n: string; users: string }>(
    env.databaseUrl,
    `SELECT count(*) AS n, count(DISTINCT user_id) AS users FROM orders WHERE seckill_good_id = $1`,
    [sale.goodId],
  );
  assert.equal(Number(orders!.n), UNITS, 'orders in PostgreSQL');
  assert.equal(Number(orders!.users), UNITS, 'no shopper has two orders');
  const [good] = await sql<{ stock_left: number }>(env.databaseUrl, `SELECT stock_left FROM seckill_goods WHERE id = $1`, [sale.goodId]);
  assert.equal(good!.stock_left, 0, 'stock_left in PostgreSQL');
  assert.equal(await redis.get(keys.stock(sale.goodId)), '0', 'stock in Redis');
  const item = await request<{ stockLeft: number; status: string }>(api.url, 'GET', `/api/seckill/goods/${sale.goodId}`);
  assert.deepEqual([item.body.stockLeft, item.body.status], [0, 'sold_out']);
}

describe('a flash sale over HTTP, end to end', () => {
  it(`sells exactly ${UNITS} units to ${SHOPPERS} concurrent shoppers`, async () => {
    const sale = await prepareSale('sale-a');
    const t0 = performance.now();
    const responses = await fire(sale);
    const accepted = responses.filter((r) => r.status === 202);
    const lastAccepted = Math.max(...accepted.map((r) => r.endedAt));
    await results.waitForAll(accepted.map((r) => r.body.uuid!), 60_000);
    const t1 = performance.now();
    console.log(
      `sale-a: ${responses.length} requests in ${(Math.max(...responses.map((r) => r.endedAt)) - t0).toFixed(0)} ms; ` +
        `${accepted.length} accepted in ${(lastAccepted - t0).toFixed(0)} ms (${((accepted.length / (lastAccepted - t0)) * 1000).toFixed(0)}/s); ` +
        `all outcomes after ${(t1 - t0).toFixed(0)} ms`,
    );
    await assertInvariants(sale, responses);
  });

  it('keeps every invariant when the worker is killed with SIGKILL in the middle and restarted', async () => {
    await worker.stop();
    // Small batches make "the middle" wide enough to land in: the kill comes with the first outcome.
    const slowEnv = { ...env.vars, WORKER_BATCH_SIZE: '1', WORKER_PREFETCH: '5' };
    worker = new AppProcess('order-worker', `e2e-order-worker-killed-${env.id}`, await freePort(), slowEnv);
    await worker.start();
    const sale = await prepareSale('sale-b');
    const before = results.results.size;
    let outcomesAtKill = -1;
    const killed = results
      .waitFor(() => results.results.size > before, 60_000, 'the first outcome of sale-b')
      .then(async () => {
        await worker.stop('SIGKILL');
        outcomesAtKill = results.results.size - before;
      });
    const responses = await fire(sale);
    await killed;
    assert.ok(outcomesAtKill > 0 && outcomesAtKill < UNITS, `killed in the middle (after ${outcomesAtKill} outcomes)`);
    worker = new AppProcess('order-worker', `e2e-order-worker-restarted-${env.id}`, await freePort(), env.vars);
    await worker.start();
    await assertInvariants(sale, responses);
    console.log(`sale-b: worker killed after ${outcomesAtKill} of ${UNITS} outcomes; all ${UNITS} sold after restart`);
  });
});
