import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import Redis from 'ioredis';
import type { OrderResult } from '@seckill/contracts';
import { StockKeys } from '@seckill/stock';
import {
  mintToken,
  PrivateRedis,
  request,
  seedSale,
  seedShoppers,
  SocketClient,
  sql,
  startProduct,
  TEST_JWT_SECRET,
  type AppProcess,
  type Product,
  type ResultCollector,
  type TestEnv,
} from '@seckill/testing';

/**
 * The three apps on a Redis of this suite's own, which it kills and brings back empty: nobody is answered 500,
 * no process dies, readiness says what is missing and comes back by itself, and once Redis is back the item is
 * held until what was queued is decided, then sold on from PostgreSQL's truth.
 */
let product: Product;
let env: TestEnv;
let redisServer: PrivateRedis;
let api: AppProcess;
let worker: AppProcess;
let notifier: AppProcess;
let results: ResultCollector;
let itemId: number;
let tokens: string[];

before(async () => {
  redisServer = await PrivateRedis.start();
  product = await startProduct('e2e-outage', { vars: { REDIS_URL: redisServer.url, DEPENDENCY_PROBE_INTERVAL_MS: '1000' } });
  ({ env, results, api, worker, notifier } = product);
  itemId = await seedSale(env.databaseUrl, { stock: 10 });
  tokens = (await seedShoppers(env.databaseUrl, 20, 'outage')).map((u) => mintToken(TEST_JWT_SECRET, u));
});

after(async () => {
  // The apps before their Redis, so none of them spends its last moments reconnecting.
  await product?.stop();
  await redisServer?.stop();
});

const order = (token: string, requestId = randomUUID(), item = itemId) =>
  fetch(`${api.url}/api/seckill/orders`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ seckillGoodId: item, requestId }),
  });

/** Redis running and every app ready on it (after a test that left it down). */
async function redisUp(): Promise<void> {
  if (!redisServer.running) await redisServer.start();
  await until('every app ready', async () => (await Promise.all([api, worker, notifier].map(ready))).every((s) => s === 200), 30_000);
}

/** Places an order and waits for its outcome: the item is then loaded in Redis. */
async function decided(token: string, item: number): Promise<string> {
  const placed = await order(token, randomUUID(), item);
  assert.equal(placed.status, 202);
  const { uuid } = (await placed.json()) as { uuid: string };
  await results.waitForAll([uuid], 30_000);
  return uuid;
}

async function ready(app: AppProcess): Promise<number> {
  return (await fetch(`${app.url}/health/ready`)).status;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return Date.now() - started;
}

async function serverErrors(app: AppProcess): Promise<number> {
  const text = await (await fetch(`${app.url}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('seckill_http_responses_total{') && /status="5\d\d"/.test(l) && !l.includes('status="503"'))
    .reduce((n, l) => n + Number(l.split(' ').at(-1)), 0);
}

describe('Redis killed mid-sale, then back empty', () => {
  it('answers 503 TRY_AGAIN (never 500) while it is down, serves what PostgreSQL holds, and keeps every process alive', async () => {
    await redisUp();
    const uuid = await decided(tokens[0]!, itemId);

    await redisServer.stop();
    const refused = await order(tokens[1]!);
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('retry-after'), '1');
    assert.equal(((await refused.json()) as { code: string }).code, 'TRY_AGAIN');

    const saleItems = await request<{ id: number; stockLeft: number }[]>(api.url, 'GET', '/api/seckill/goods');
    assert.equal(saleItems.status, 200, 'the catalogue comes from PostgreSQL');
    assert.equal(saleItems.body.find((g) => g.id === itemId)?.stockLeft, 9);
    const polled = await request<OrderResult>(api.url, 'GET', `/api/seckill/orders/${uuid}`, { token: tokens[0]! });
    assert.deepEqual([polled.status, polled.body.status], [200, 'SUCCESS'], 'a decided outcome comes from PostgreSQL');
    assert.equal((await request(api.url, 'GET', '/api/orders', { token: tokens[0]! })).status, 200);

    const socket = new SocketClient(`ws://127.0.0.1:${notifier.port}/${randomUUID()}?token=${tokens[2]}`);
    assert.equal((await socket.closed).code, 1011, 'a socket the notifier cannot set up is closed with 1011');

    await until('every app to report itself not ready', async () => (await Promise.all([api, worker, notifier].map(ready))).every((s) => s === 503), 10_000);
    for (const app of [api, worker, notifier]) assert.equal((await fetch(`${app.url}/health`)).status, 200, `${app.app} is alive`);
  });

  it('is ready again by itself, holds the item until what was queued is decided, then sells exactly what PostgreSQL has', async () => {
    // An item of this test's own, loaded in Redis before the outage, then the outage itself.
    await redisUp();
    const item = await seedSale(env.databaseUrl, { stock: 10 });
    await decided(tokens[4]!, item);
    await redisServer.stop();
    await until('every app to notice Redis is gone', async () => (await Promise.all([api, worker, notifier].map(ready))).every((s) => s === 503), 10_000);

    await redisServer.start();
    const readyAfterMs = await until('every app ready again', async () => (await Promise.all([api, worker, notifier].map(ready))).every((s) => s === 200), 30_000);
    console.log(`ready again ${readyAfterMs} ms after Redis came back`);

    // The item had been loaded before: Redis lost its counter and the reservations in it, so it is held.
    const held = await order(tokens[3]!, randomUUID(), item);
    assert.equal(held.status, 503);
    assert.match(((await held.json()) as { message: string }).message, /recovering/);

    // Released by the worker once RabbitMQ's statistics show every queue of the order pipeline empty.
    const requestId = randomUUID();
    let accepted: Response | undefined;
    await until('the item to be sold again', async () => {
      const r = await order(tokens[3]!, requestId, item);
      if (r.status === 202) accepted = r;
      else assert.equal(r.status, 503, `held items answer 503, got ${r.status}`);
      return r.status === 202;
    }, 60_000);
    assert.ok(accepted);
    await results.waitForAll([requestId], 30_000);
    assert.equal(results.results.get(requestId)?.status, 'SUCCESS');

    const redis = new Redis(redisServer.url);
    try {
      const [pg] = await sql<{ stock_left: number }>(env.databaseUrl, `SELECT stock_left FROM seckill_goods WHERE id = $1`, [item]);
      assert.equal(pg!.stock_left, 8, 'two sold: the one before the outage, the one after');
      assert.equal(Number(await redis.get(new StockKeys(env.redisKeyPrefix).stock(item))), pg!.stock_left, 'Redis = PostgreSQL');
    } finally {
      redis.disconnect();
    }
    for (const app of [api, worker, notifier]) assert.equal(await serverErrors(app), 0, `no 5xx other than 503 from ${app.app}`);
  });
});
