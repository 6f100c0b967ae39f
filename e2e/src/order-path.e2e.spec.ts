import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Redis from 'ioredis';
import type { OrderResult } from '@seckill/contracts';
import { StockKeys } from '@seckill/stock';
import {
  burst,
  maxOverlap,
  mintToken,
  request,
  seedSale,
  seedShoppers,
  sql,
  startProduct,
  TEST_JWT_SECRET,
  type BurstResult,
  type Product,
  type ResultCollector,
  type TestEnv,
} from '@seckill/testing';

/**
 * The whole order path with real processes: order-api and order-worker run as separate programs against
 * real PostgreSQL, Redis and RabbitMQ, and 2,000 shoppers order 100 units at once.
 */
const SHOPPERS = 2000;
const UNITS = 100;

let product: Product;
let env: TestEnv;
let results: ResultCollector;
let redis: Redis;
let keys: StockKeys;

before(async () => {
  product = await startProduct('e2e-order-path', {
    instances: { 'websocket-notifier': 0 },
    // Flags then clear only through the "stock back" broadcast, which is what the fail-path test checks.
    overrides: { 'order-api': { SOLD_OUT_FLAG_TTL_MS: '600000' } },
  });
  ({ env, results } = product);
  redis = new Redis(env.redisUrl);
  keys = new StockKeys(env.redisKeyPrefix);
});

after(async () => {
  redis?.disconnect();
  await product?.stop();
});

interface Sale {
  itemId: number;
  shoppers: { id: number; token: string }[];
}

async function prepareSale(label: string): Promise<Sale> {
  const itemId = await seedSale(env.databaseUrl, { name: label, stock: UNITS });
  const users = await seedShoppers(env.databaseUrl, SHOPPERS, label);
  return { itemId, shoppers: users.map((u) => ({ id: u.id, token: mintToken(TEST_JWT_SECRET, u) })) };
}

function fire(sale: Sale): Promise<BurstResult<{ uuid?: string; code?: string }>[]> {
  return burst(`${product.api.url}/api/seckill/orders`, sale.shoppers.map((s) => ({ token: s.token, body: { seckillGoodId: sale.itemId } })));
}

/** Every invariant of the sale, checked through the API, Redis and PostgreSQL. */
async function assertInvariants(sale: Sale, responses: BurstResult<{ uuid?: string; code?: string }>[]): Promise<void> {
  const byStatus = new Map<number, number>();
  for (const r of responses) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
  assert.ok(responses.every((r) => r.status === 202 || (r.status === 409 && r.body.code === 'SOLD_OUT')), `statuses: ${JSON.stringify([...byStatus])}`);
  assert.ok(maxOverlap(responses) >= 100, `requests really overlapped (max in flight ${maxOverlap(responses)})`);

  // Redis reserves atomically before the 202, so exactly the stock is accepted and every acceptance is a sale.
  const accepted = responses.filter((r) => r.status === 202).map((r) => r.body.uuid!);
  assert.equal(accepted.length, UNITS, 'exactly the stock is accepted (one 202 per unit)');
  await results.waitForAll(accepted, 60_000);
  assert.deepEqual(results.conflicts, [], 'a replayed outcome never differs from the first');

  const outcomes = accepted.map((u) => results.results.get(u)!);
  const failed = outcomes.filter((o) => o.status !== 'SUCCESS');
  assert.deepEqual(failed, [], 'no accepted order fails: a 202 is a reserved unit');
  assert.equal(outcomes.length, UNITS, 'exactly the stock was sold');

  // The polling API agrees with the pushed outcome for every accepted request.
  const owner = new Map(sale.shoppers.map((s) => [s.id, s.token]));
  for (const o of outcomes) {
    const polled = await request<OrderResult>(product.api.url, 'GET', `/api/seckill/orders/${o.uuid}`, { token: owner.get(o.userId)! });
    assert.equal(polled.status, 200);
    assert.equal(polled.body.status, o.status);
    assert.equal(polled.body.orderNo, o.orderNo);
  }

  const [orders] = await sql<{ n: string; users: string }>(
    env.databaseUrl,
    `SELECT count(*) AS n, count(DISTINCT user_id) AS users FROM orders WHERE seckill_good_id = $1`,
    [sale.itemId],
  );
  assert.equal(Number(orders!.n), UNITS, 'orders in PostgreSQL');
  assert.equal(Number(orders!.users), UNITS, 'no shopper has two orders');
  const [good] = await sql<{ stock_left: number }>(env.databaseUrl, `SELECT stock_left FROM seckill_goods WHERE id = $1`, [sale.itemId]);
  assert.equal(good!.stock_left, 0, 'stock_left in PostgreSQL');
  assert.equal(await redis.get(keys.stock(sale.itemId)), '0', 'stock in Redis');
  const item = await request<{ stockLeft: number; status: string }>(product.api.url, 'GET', `/api/seckill/goods/${sale.itemId}`);
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
    const end = Math.max(...responses.map((r) => r.endedAt));
    const arrivals = accepted.map((r) => results.arrivedAt.get(r.body.uuid!)!);
    const persistMs = Math.max(...arrivals) - Math.min(...arrivals);
    console.log(
      `sale-a: ${responses.length} requests answered in ${(end - t0).toFixed(0)} ms (${((responses.length / (end - t0)) * 1000).toFixed(0)} req/s, ` +
        `max ${maxOverlap(responses)} in flight); ${accepted.length} accepted, the last ${(lastAccepted - t0).toFixed(0)} ms after the first request; ` +
        `outcomes of all ${accepted.length} within ${persistMs.toFixed(0)} ms of each other (${((accepted.length / Math.max(persistMs, 1)) * 1000).toFixed(0)} orders/s persisted), ` +
        `the last ${(Math.max(...arrivals) - t0).toFixed(0)} ms after the first request`,
    );
    await assertInvariants(sale, responses);
  });

  it('keeps every invariant when the worker is killed with SIGKILL in the middle and restarted', async () => {
    // Small batches make "the middle" wide enough to land in: the kill comes with the first outcome.
    const worker = await product.replace(product.worker, { label: 'worker-killed', vars: { WORKER_BATCH_SIZE: '1', WORKER_PREFETCH: '5' } });
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
    // Restarted as configured for the suite, so the tests after this one meet the usual worker.
    await product.replace(worker, { label: 'worker-restarted' });
    await assertInvariants(sale, responses);
    console.log(`sale-b: worker killed after ${outcomesAtKill} of ${UNITS} outcomes; all ${UNITS} sold after restart`);
  });

  it('gives a failed order\'s real unit back in Redis and clears the sold-out flag through the broadcast', async () => {
    // Redis forgets that shopper b already holds a live order (a drift): it reserves a unit for b's second order,
    // PostgreSQL refuses that order (ALREADY_ORDERED), and the unit, which PostgreSQL still has, comes back.
    const itemId = await seedSale(env.databaseUrl, { name: 'sale-c', stock: 2 });
    const users = await seedShoppers(env.databaseUrl, 3, 'sale-c');
    const [b, c, d] = users.map((u) => mintToken(TEST_JWT_SECRET, u));
    const order = (token: string) => request<{ uuid: string; code?: string }>(product.api.url, 'POST', '/api/seckill/orders', { token, json: { seckillGoodId: itemId } });
    const first = await order(b!);
    assert.equal(first.status, 202);
    await results.waitForAll([first.body.uuid], 30_000);
    await redis.hdel(keys.buyers(itemId), String(users[0]!.id));

    const again = await order(b!);
    assert.equal(again.status, 202);
    const rc = await order(c!);
    assert.deepEqual([rc.status, rc.body.code], [409, 'SOLD_OUT'], 'Redis is at 0: this instance now holds a sold-out flag');

    const broadcastsBefore = results.stockBacks.filter((m) => m.seckillGoodId === itemId).length;
    await results.waitForAll([again.body.uuid], 30_000);
    const refused = results.results.get(again.body.uuid)!;
    assert.deepEqual([refused.status, refused.status === 'FAIL' ? refused.reason : undefined], ['FAIL', 'ALREADY_ORDERED']);
    await results.waitFor(() => results.stockBacks.filter((m) => m.seckillGoodId === itemId).length > broadcastsBefore, 30_000, 'the stock-back broadcast');
    assert.equal(await redis.get(keys.stock(itemId)), '1', 'the failed reservation was released once');

    // order-api received the same broadcast; once it has, the flag is gone and the next order reaches Redis.
    let rd = await order(d!);
    const deadline = Date.now() + 10_000;
    // Re-asked at a pace under the per-user rate limit until the broadcast has been applied (bounded).
    while (rd.status === 409 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 150));
      rd = await order(d!);
    }
    assert.equal(rd.status, 202, `flag cleared by the broadcast: ${JSON.stringify(rd.body)}`);
    await results.waitForAll([rd.body.uuid], 30_000);
    assert.equal(results.results.get(rd.body.uuid)!.status, 'SUCCESS', 'the unit that came back was sold');
    const [sold] = await sql<{ n: string }>(env.databaseUrl, `SELECT count(*) AS n FROM orders WHERE seckill_good_id = $1`, [itemId]);
    assert.equal(Number(sold!.n), 2, 'PostgreSQL never oversells, whatever Redis promised');
  });

  it('gives nothing back for a failure that never held a real unit, so a drift above PostgreSQL cannot promise the same phantom twice', async () => {
    // Redis promises 3 units where PostgreSQL holds 1 (as after Redis lost in-flight reservations).
    const itemId = await seedSale(env.databaseUrl, { name: 'sale-e', stock: 1 });
    await redis.set(keys.stock(itemId), '3');
    await sql(env.databaseUrl, `UPDATE seckill_goods SET stock_loaded_at = now() WHERE id = $1`, [itemId]);
    const tokens = (await seedShoppers(env.databaseUrl, 3, 'sale-e')).map((u) => mintToken(TEST_JWT_SECRET, u));
    const placed = await Promise.all(tokens.map((t) => request<{ uuid: string }>(product.api.url, 'POST', '/api/seckill/orders', { token: t, json: { seckillGoodId: itemId } })));
    assert.deepEqual(placed.map((p) => p.status), [202, 202, 202]);
    await results.waitForAll(placed.map((p) => p.body.uuid), 30_000);
    const outcomes = placed.map((p) => results.results.get(p.body.uuid)!);
    assert.deepEqual(outcomes.map((o) => o.status).sort(), ['FAIL', 'FAIL', 'SUCCESS']);
    // Each SOLD_OUT failure is released (so the shopper may try again) once its fail-release message is handled.
    for (const o of outcomes.filter((o) => o.status === 'FAIL')) {
      const deadline = Date.now() + 10_000;
      while ((await redis.hget(keys.buyers(itemId), String(o.userId))) !== null) {
        if (Date.now() > deadline) throw new Error('the phantom reservation was never ended');
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    assert.equal(await redis.get(keys.stock(itemId)), '0', 'the phantom units did not come back');
  });

  it('makes a request idempotent by its requestId, and refuses another shopper\'s requestId', async () => {
    const itemId = await seedSale(env.databaseUrl, { name: 'sale-d', stock: 5 });
    const [alice, bob] = (await seedShoppers(env.databaseUrl, 2, 'sale-d')).map((u) => mintToken(TEST_JWT_SECRET, u));
    const requestId = '0b8f6f3a-8e8c-4c55-9d7c-1f2e3d4c5b6a'.replace('0b8f', Math.random().toString(16).slice(2, 6));
    const order = (token: string) => request<{ uuid: string; code?: string }>(product.api.url, 'POST', '/api/seckill/orders', { token, json: { seckillGoodId: itemId, requestId } });

    const first = await order(alice!);
    assert.deepEqual([first.status, first.body.uuid], [202, requestId], 'the uuid is the requestId');
    await results.waitForAll([requestId], 30_000);
    const again = await Promise.all([order(alice!), order(alice!), order(alice!)]);
    assert.deepEqual(again.map((r) => [r.status, r.body.uuid]), [[202, requestId], [202, requestId], [202, requestId]]);
    const foreign = await order(bob!);
    assert.deepEqual([foreign.status, foreign.body.code], [400, 'VALIDATION_FAILED']);

    const [counts] = await sql<{ orders: string; left: number }>(
      env.databaseUrl,
      `SELECT (SELECT count(*) FROM orders WHERE seckill_good_id = $1) AS orders, (SELECT stock_left FROM seckill_goods WHERE id = $1) AS left`,
      [itemId],
    );
    assert.deepEqual([Number(counts!.orders), counts!.left], [1, 4]);
    assert.equal(await redis.get(keys.stock(itemId)), '4', 'one reservation, however often the request was repeated');
  });
});
