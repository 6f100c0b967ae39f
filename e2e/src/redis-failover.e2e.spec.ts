import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createRedisClient, type RedisClient } from '@seckill/redis';
import { StockKeys } from '@seckill/stock';
import {
  burst,
  mintToken,
  PrivateRedisCluster,
  seedSale,
  seedShoppers,
  SHARED_SERVERS,
  sql,
  startProduct,
  TEST_JWT_SECRET,
  type BurstResult,
  type Product,
} from '@seckill/testing';

/**
 * The master holding the hot item's slot dies mid-sale and its replica takes over. Redis replicates
 * asynchronously, so the replica may lack the last reservations: PostgreSQL's guards keep that from overselling,
 * the worker decides orders whose record is missing, and reconciliation brings the counter back to PostgreSQL's.
 * The sale then goes on to sell out. (The multi-host lab runs the same fault between network namespaces.)
 */
const UNITS = 150;

let cluster: PrivateRedisCluster;
let product: Product;
let redis: RedisClient;
let keys: StockKeys;

before(async () => {
  cluster = await PrivateRedisCluster.start({ masters: 3, replicas: 1, nodeTimeoutMs: 1000 });
  product = await startProduct('e2e-redis-failover', {
    servers: { ...SHARED_SERVERS, redis: cluster.url, redisClusterNodes: cluster.seedNodes },
    instances: { 'order-api': 1, 'order-worker': 1, 'websocket-notifier': 0 },
    overrides: { 'order-worker': { RECONCILE_INTERVAL_MS: '1000' } },
  });
  redis = createRedisClient({ url: cluster.url, clusterNodes: cluster.seedNodes }, 'e2e-redis-failover');
  keys = new StockKeys(product.env.redisKeyPrefix);
});

after(async () => {
  redis?.disconnect();
  await product?.stop();
  await cluster?.stop();
});

type Answer = BurstResult<{ uuid?: string; code?: string }>;

describe('a Redis Cluster failover in the middle of a sale', () => {
  it('loses no accepted order, oversells nothing, converges Redis to PostgreSQL and sells out', async () => {
    const itemId = await seedSale(product.env.databaseUrl, { name: 'failover', stock: UNITS });
    const people = (await seedShoppers(product.env.databaseUrl, 600, 'failover')).map((u) => ({ id: u.id, token: mintToken(TEST_JWT_SECRET, u), requestId: randomUUID() }));
    const url = `${product.api.url}/api/seckill/orders`;
    const order = (p: (typeof people)[number]) => ({ token: p.token, body: { seckillGoodId: itemId, requestId: p.requestId } });
    const master = await cluster.masterOf(keys.stock(itemId));

    // The sale is on (a first wave has taken some units) when the master dies; the second wave arrives at once,
    // while the replica is still being promoted, and meets the failover.
    const answers = new Map<number, Answer>();
    const firstWave = people.slice(0, 60);
    (await burst<{ uuid?: string; code?: string }>(url, firstWave.map(order))).forEach((a, i) => answers.set(firstWave[i]!.id, a));
    assert.ok([...answers.values()].every((a) => a.status === 202), 'the first wave bought');
    await cluster.kill(master);
    const secondWave = people.slice(60);
    const duringFailover = burst<{ uuid?: string; code?: string }>(url, secondWave.map(order));
    const promoted = await cluster.untilFailedOver(keys.stock(itemId), master);
    assert.notEqual(promoted, master, 'the replica took the slot over');
    (await duringFailover).forEach((a, i) => answers.set(secondWave[i]!.id, a));
    const refusedDuringFailover = [...answers.values()].filter((a) => a.status === 503).length;

    // Everyone refused with 503 retries (same requestId), and the second wave arrives: until every shopper has a
    // final answer (each round waits for the one before; a 503 is only ever answered while Redis is failing over).
    const pending = () => people.filter((p) => answers.get(p.id) === undefined || answers.get(p.id)!.status === 503);
    for (let round = 0; pending().length > 0; round++) {
      assert.ok(round < 20, `still answered 503 after 20 rounds: ${pending().length} shoppers`);
      const batch = pending();
      (await burst<{ uuid?: string; code?: string }>(url, batch.map(order))).forEach((a, i) => answers.set(batch[i]!.id, a));
    }
    const statuses = [...answers.values()].map((a) => `${a.status} ${a.body.code ?? ''}`.trim());
    assert.ok(statuses.every((s) => s === '202' || s === '409 SOLD_OUT'), `final answers: ${[...new Set(statuses)].join(', ')}`);

    const accepted = [...answers.values()].filter((a) => a.status === 202).map((a) => a.body.uuid!);
    await product.results.waitForAll(accepted, 60_000);
    const outcomes = accepted.map((u) => product.results.results.get(u)!);
    const sold = outcomes.filter((o) => o.status === 'SUCCESS');
    // A reservation the replica never received may have been promised again: PostgreSQL refuses the extra order.
    assert.ok(outcomes.every((o) => o.status === 'SUCCESS' || (o.status === 'FAIL' && o.reason === 'SOLD_OUT')), 'each 202 is an order or an honest SOLD_OUT');

    const [orders] = await sql<{ n: string; users: string }>(product.env.databaseUrl, `SELECT count(*) AS n, count(DISTINCT user_id) AS users FROM orders WHERE seckill_good_id = $1`, [itemId]);
    assert.deepEqual([Number(orders!.n), Number(orders!.users)], [UNITS, UNITS], 'sold out, exactly, once per shopper');
    assert.equal(sold.length, UNITS, 'every order is a SUCCESS pushed to its shopper');

    // Reconciliation (every second here) brings Redis to what PostgreSQL says.
    const deadline = Date.now() + 30_000;
    let counter = await redis.get(keys.stock(itemId));
    while (counter !== '0' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      counter = await redis.get(keys.stock(itemId));
    }
    assert.equal(counter, '0', 'Redis = PostgreSQL once quiet');
    console.log(
      `failover: master ${master} killed; ${refusedDuringFailover} answered 503 during the failover and retried; ${accepted.length} accepted (${outcomes.length - sold.length} refused by PostgreSQL after the failover), ${UNITS} sold, ` +
        `${[...answers.values()].filter((a) => a.status === 409).length} told SOLD_OUT`,
    );
  });
});
