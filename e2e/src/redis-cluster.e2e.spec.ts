import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { OrderResult } from '@seckill/contracts';
import { createRedisClient, type RedisClient } from '@seckill/redis';
import { StockKeys } from '@seckill/stock';
import {
  burst,
  maxOverlap,
  mintToken,
  PrivateRedisCluster,
  request,
  seedSale,
  seedShoppers,
  SHARED_SERVERS,
  SocketClient,
  sql,
  startProduct,
  TEST_JWT_SECRET,
  type AppProcess,
  type BurstResult,
  type Product,
} from '@seckill/testing';

/**
 * The sale of order-path.e2e, over a Redis Cluster of three masters instead of one Redis: two of each app, the
 * same invariants (exactly the stock sold, once per shopper, every 202 resolved, Redis = PostgreSQL), polling by
 * uuid, pushes routed between notifier instances (sharded pub/sub), and the payment window giving units back
 * (scripts in the item's slot, the stock-back broadcast clearing the sold-out flags).
 */
const SHOPPERS = 800;
const UNITS = 80;
const WINDOW_SECONDS = 4;

let cluster: PrivateRedisCluster;
let product: Product;
let redis: RedisClient;
let keys: StockKeys;

before(async () => {
  cluster = await PrivateRedisCluster.start({ masters: 3 });
  product = await startProduct('e2e-redis-cluster', {
    servers: { ...SHARED_SERVERS, redis: cluster.url, redisClusterNodes: cluster.seedNodes },
    instances: { 'order-api': 2, 'order-worker': 2, 'websocket-notifier': 2 },
    vars: { PAYMENT_WINDOW_SECONDS: String(WINDOW_SECONDS), SOLD_OUT_FLAG_TTL_MS: '600000' },
  });
  redis = createRedisClient({ url: cluster.url, clusterNodes: cluster.seedNodes }, 'e2e-redis-cluster');
  keys = new StockKeys(product.env.redisKeyPrefix);
});

after(async () => {
  redis?.disconnect();
  await product?.stop();
  await cluster?.stop();
});

const apis = () => product.instances('order-api');
const notifiers = () => product.instances('websocket-notifier');
const wsUrl = (n: AppProcess, uuid: string, token: string) => `ws://127.0.0.1:${n.port}/${uuid}?token=${encodeURIComponent(token)}`;

interface Shopper {
  id: number;
  token: string;
}

async function shoppers(n: number, label: string): Promise<Shopper[]> {
  return (await seedShoppers(product.env.databaseUrl, n, label)).map((u) => ({ id: u.id, token: mintToken(TEST_JWT_SECRET, u) }));
}

/** One burst per order-api at once (shopper i to instance i mod 2); the answers in the shoppers' order. */
async function burstOverApis(entries: readonly { token: string; body: unknown }[]): Promise<BurstResult<{ uuid?: string; code?: string }>[]> {
  const halves = [0, 1].map((k) => entries.flatMap((e, i) => (i % 2 === k ? [{ e, i }] : [])));
  const answers = await Promise.all(halves.map((h, k) => burst<{ uuid?: string; code?: string }>(`${apis()[k]!.url}/api/seckill/orders`, h.map((x) => x.e))));
  const out: BurstResult<{ uuid?: string; code?: string }>[] = new Array(entries.length);
  halves.forEach((h, k) => h.forEach((x, j) => (out[x.i] = answers[k]![j]!)));
  return out;
}

async function stockOf(itemId: number): Promise<{ db: number; redis: string | null }> {
  const [good] = await sql<{ stock_left: number }>(product.env.databaseUrl, `SELECT stock_left FROM seckill_goods WHERE id = $1`, [itemId]);
  return { db: good!.stock_left, redis: await redis.get(keys.stock(itemId)) };
}

describe('a flash sale over a Redis Cluster', () => {
  it('is served by the cluster: the item is on one master of three', async () => {
    const itemId = await seedSale(product.env.databaseUrl, { name: 'cluster-probe', stock: 1 });
    const [s] = await shoppers(1, 'cluster-probe');
    const placed = await request<{ uuid: string }>(apis()[0]!.url, 'POST', '/api/seckill/orders', { token: s!.token, json: { seckillGoodId: itemId } });
    assert.equal(placed.status, 202);
    await product.results.waitForAll([placed.body.uuid], 30_000);
    const master = await cluster.masterOf(keys.stock(itemId));
    assert.ok(cluster.nodes.some((n) => n.port === master), 'the stock counter lives on a node of the private cluster');
    assert.equal(await redis.get(keys.stock(itemId)), '0');
  });

  it(`sells exactly ${UNITS} units to ${SHOPPERS} concurrent shoppers over two order-apis, pushing each outcome to the socket that waits for it`, async () => {
    const itemId = await seedSale(product.env.databaseUrl, { name: 'cluster-sale', stock: UNITS });
    const buyers = await shoppers(SHOPPERS, 'cluster-sale');
    // Every shopper chooses its requestId first, as the shop page does; a fifth wait on a socket before posting,
    // spread over both notifiers (and over shoppers of both order-apis), so pushes cross from the instance that
    // consumed the outcome to the other.
    const requestIds = buyers.map(() => randomUUID());
    const watched = buyers.map((b, i) => ({ b, i })).filter(({ i }) => i % 5 === 0);
    const sockets = watched.map(({ b, i }) => new SocketClient(wsUrl(notifiers()[Math.floor(i / 5) % 2]!, requestIds[i]!, b.token)));
    const responses = await burstOverApis(buyers.map((b, i) => ({ token: b.token, body: { seckillGoodId: itemId, requestId: requestIds[i] } })));
    assert.ok(maxOverlap(responses) >= 100, `requests really overlapped (max in flight ${maxOverlap(responses)})`);
    const statuses = new Map<number, number>();
    for (const r of responses) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    assert.ok(responses.every((r) => r.status === 202 || (r.status === 409 && r.body.code === 'SOLD_OUT')), `statuses: ${JSON.stringify([...statuses])}`);
    const accepted = responses.flatMap((r, i) => (r.status === 202 ? [{ uuid: r.body.uuid as string, buyer: buyers[i]! }] : []));
    assert.equal(accepted.length, UNITS, 'exactly the stock is accepted');
    assert.ok(accepted.every((a, _, all) => all.filter((x) => x.buyer.id === a.buyer.id).length === 1));

    await product.results.waitForAll(accepted.map((a) => a.uuid), 60_000);
    assert.deepEqual(product.results.conflicts, []);
    for (const a of accepted) assert.equal(product.results.results.get(a.uuid)!.status, 'SUCCESS');

    // Each watched shopper's socket gets its own outcome: SUCCESS for the accepted, nothing for the refused.
    const acceptedIds = new Set(accepted.map((a) => a.uuid));
    const pushed = await Promise.all(
      watched.map(({ i }, k) => (acceptedIds.has(requestIds[i]!) ? sockets[k]!.frame((f) => f.type === 'order.result') : Promise.resolve(undefined))),
    );
    pushed.forEach((f, k) => {
      if (f) assert.deepEqual([f.uuid, f.status], [requestIds[watched[k]!.i], 'SUCCESS']);
    });
    assert.ok(pushed.some(Boolean), `some watched shopper was among the buyers (accepted: ${accepted.map((a) => buyers.indexOf(a.buyer)).join(',')})`);
    sockets.forEach((s) => s.close());

    // Polling by uuid alone (through the pointer to the item's slot) agrees, on either instance.
    for (const [n, a] of accepted.slice(0, 20).entries()) {
      const polled = await request<OrderResult>(apis()[n % 2]!.url, 'GET', `/api/seckill/orders/${a.uuid}`, { token: a.buyer.token });
      assert.deepEqual([polled.status, polled.body.status], [200, 'SUCCESS']);
    }
    // The repeat-buyer check holds across the cluster.
    const again = await request<{ code: string }>(apis()[1]!.url, 'POST', '/api/seckill/orders', { token: accepted[0]!.buyer.token, json: { seckillGoodId: itemId } });
    assert.equal(again.status, 409);

    const [orders] = await sql<{ n: string; users: string }>(product.env.databaseUrl, `SELECT count(*) AS n, count(DISTINCT user_id) AS users FROM orders WHERE seckill_good_id = $1`, [itemId]);
    assert.deepEqual([Number(orders!.n), Number(orders!.users)], [UNITS, UNITS], 'orders in PostgreSQL, one per shopper');
    assert.deepEqual(await stockOf(itemId), { db: 0, redis: '0' }, 'Redis = PostgreSQL');
  });

  it('gives unpaid units back when their payment window closes, and the next shoppers buy exactly those', async () => {
    const itemId = await seedSale(product.env.databaseUrl, { name: 'cluster-window', stock: 10 });
    const first = await shoppers(10, 'cluster-window-a');
    const placed = await Promise.all(
      first.map((s, i) => request<{ uuid: string }>(apis()[i % 2]!.url, 'POST', '/api/seckill/orders', { token: s.token, json: { seckillGoodId: itemId } })),
    );
    assert.deepEqual(placed.map((p) => p.status), Array(10).fill(202));
    await product.results.waitForAll(placed.map((p) => p.body.uuid), 30_000);
    // Both order-apis now hold a sold-out flag for the item.
    const late = await shoppers(2, 'cluster-window-late');
    for (const [i, s] of late.entries()) {
      const r = await request<{ code: string }>(apis()[i]!.url, 'POST', '/api/seckill/orders', { token: s.token, json: { seckillGoodId: itemId } });
      assert.deepEqual([r.status, r.body.code], [409, 'SOLD_OUT']);
    }
    // Four pay; six let their window close.
    for (const [i, p] of placed.slice(0, 4).entries()) {
      const orderNo = (product.results.results.get(p.body.uuid) as { orderNo: string }).orderNo;
      const paid = await request(apis()[i % 2]!.url, 'POST', `/api/orders/${orderNo}/pay`, { token: first[i]!.token });
      assert.equal(paid.status, 200);
    }
    const timedOut = placed.slice(4).map((p) => p.body.uuid);
    await product.results.waitFor(
      () => timedOut.every((u) => product.results.statusesOf(u).includes('TIMEOUT')),
      WINDOW_SECONDS * 1000 + 30_000,
      'the six unpaid orders timed out',
    );
    await product.results.waitFor(() => product.results.stockBacks.filter((m) => m.seckillGoodId === itemId).length >= 6, 30_000, 'six stock-back broadcasts');
    assert.deepEqual(await stockOf(itemId), { db: 6, redis: '6' }, 'the units came back in both stores');

    // The flags are cleared by the broadcast on both instances: exactly six of the next shoppers buy.
    const next = await shoppers(30, 'cluster-window-b');
    const responses = await burstOverApis(next.map((s) => ({ token: s.token, body: { seckillGoodId: itemId } })));
    const acceptedAgain = responses.filter((r) => r.status === 202).map((r) => r.body.uuid as string);
    assert.equal(acceptedAgain.length, 6, `statuses: ${responses.map((r) => r.status).join(',')}`);
    await product.results.waitForAll(acceptedAgain, 30_000);
    assert.deepEqual(await stockOf(itemId), { db: 0, redis: '0' });
  });

  it('runs a waiting room: places, admissions pushed through sharded pub/sub to either notifier, tokens spent, closed on sell-out', async () => {
    const units = 4;
    const itemId = await seedSale(product.env.databaseUrl, { name: 'cluster room', stock: units, room: { admitPerSecond: 5, preQueueSeconds: 0 } });
    const crowd = await shoppers(12, 'cluster-room');
    for (const [i, s] of crowd.entries()) {
      const joined = await request<{ status: string; position?: number }>(apis()[i % 2]!.url, 'POST', `/api/seckill/goods/${itemId}/room`, { token: s.token });
      assert.deepEqual([joined.status, joined.body.status], [200, 'WAITING']);
      // Behind everyone who joined before, less those the admitter (already at work: the sale is live) let in.
      assert.ok(joined.body.position !== undefined && joined.body.position >= 1 && joined.body.position <= i + 1, `place ${joined.body.position} for the ${i + 1}th to join`);
    }
    const sockets = crowd.map((s, i) => new SocketClient(`ws://127.0.0.1:${notifiers()[i % 2]!.port}/room/${itemId}?token=${encodeURIComponent(s.token)}`));
    const outcomes = await Promise.all(
      sockets.map(async (socket, i) => {
        const f = (await socket.frame((x) => x.type === 'room.admitted' || x.type === 'room.closed', 30_000)) as unknown as { type: string; admissionToken?: string; reason?: string };
        if (f.type === 'room.closed') return `closed ${f.reason}`;
        const r = await request<{ code?: string }>(apis()[(i + 1) % 2]!.url, 'POST', '/api/seckill/orders', {
          token: crowd[i]!.token,
          json: { seckillGoodId: itemId, requestId: randomUUID(), admissionToken: f.admissionToken },
        });
        return r.status === 202 ? 'ordered' : `refused ${r.body.code}`;
      }),
    );
    assert.equal(outcomes.filter((o) => o === 'ordered').length, units, outcomes.join(', '));
    assert.ok(outcomes.every((o) => ['ordered', 'closed SOLD_OUT', 'refused SOLD_OUT'].includes(o)), outcomes.join(', '));
    assert.ok(outcomes.includes('closed SOLD_OUT'), 'those still waiting were told the room closed');
  });
});
