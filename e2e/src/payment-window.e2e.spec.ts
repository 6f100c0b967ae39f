import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import Redis from 'ioredis';
import type { OrderView } from '@seckill/contracts';
import { StockKeys } from '@seckill/stock';
import {
  burst,
  mintToken,
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
 * The payment window, pay, cancel and reconciliation with real processes: two order-api instances, a worker
 * and a notifier. Nothing here is timed against a deadline: a test pays well inside a window long enough for any
 * machine, and waits for the TIMEOUT events of the orders it leaves unpaid. A test that needs a different window
 * restarts the worker with it (useWindow), so every test sets up what it needs and can run alone.
 */
const WINDOW_SECONDS = 15;
/** A window no test waits for: nothing bought under it can expire while the test runs. */
const LONG_WINDOW_SECONDS = 600;
/** Outcomes and status events take milliseconds; this is the margin for a loaded machine. */
const EVENT_TIMEOUT_MS = 60_000;

let product: Product;
let env: TestEnv;
let results: ResultCollector;
let redis: Redis;
let keys: StockKeys;
let admin: string;
let workerWindow = WINDOW_SECONDS;

before(async () => {
  product = await startProduct('e2e-payment', {
    instances: { 'order-api': 2 },
    vars: { PAYMENT_WINDOW_SECONDS: String(WINDOW_SECONDS), SOLD_OUT_FLAG_TTL_MS: '600000', ORDER_RATE_LIMIT_PER_SECOND: '50' },
  });
  ({ env, results } = product);
  redis = new Redis(env.redisUrl);
  keys = new StockKeys(env.redisKeyPrefix);
  admin = (await request<{ accessToken: string }>(api1().url, 'POST', '/api/auth/login', { json: { username: 'admin', password: 'admin' } })).body.accessToken;
});

after(async () => {
  redis?.disconnect();
  await product?.stop();
});

const api1 = (): AppProcess => product.instances('order-api')[0]!;
const api2 = (): AppProcess => product.instances('order-api')[1]!;

/** Restarts the worker with another payment window if it runs with a different one (orders take the window of the worker that created them). */
async function useWindow(seconds: number): Promise<void> {
  if (workerWindow === seconds) return;
  await product.replace(product.worker, { label: `worker-window-${seconds}s`, vars: { PAYMENT_WINDOW_SECONDS: String(seconds) } });
  workerWindow = seconds;
}

/** Waits until a worker has logged the expiry of each order's payment window (paid or not: what it did is in the line). */
async function windowsHandled(orderNos: readonly string[]): Promise<Map<string, string>> {
  const deadline = Date.now() + EVENT_TIMEOUT_MS;
  for (;;) {
    const handled = new Map<string, string>();
    for (const worker of product.history('order-worker')) {
      for (const line of product.logOf(worker).split('\n')) {
        if (!line.includes('"payment window expired"')) continue;
        try {
          const entry = JSON.parse(line) as { orderNo: string; outcome: string };
          handled.set(entry.orderNo, entry.outcome);
        } catch {
          // the line is still being written: read again on the next pass
        }
      }
    }
    if (orderNos.every((o) => handled.has(o))) return handled;
    if (Date.now() > deadline) throw new Error(`payment windows not handled: ${orderNos.filter((o) => !handled.has(o)).length} of ${orderNos.length}`);
    // A log file has no change event worth the complexity here; it is re-read at a short interval (bounded).
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

interface Bought {
  token: string;
  uuid: string;
  orderNo: string;
}

const apiOf = (i: number) => (i % 2 ? api2() : api1());
const place = (i: number, token: string, itemId: number, requestId = randomUUID()) =>
  request<{ uuid: string; code?: string }>(apiOf(i).url, 'POST', '/api/seckill/orders', { token, json: { seckillGoodId: itemId, requestId } });

async function shoppers(n: number, label: string): Promise<string[]> {
  return (await seedShoppers(env.databaseUrl, n, `${label}-${randomUUID().slice(0, 6)}`)).map((u) => mintToken(TEST_JWT_SECRET, u));
}

/** Buys one unit per token (alternating the two order-api instances) and waits for every SUCCESS. */
async function buyAll(tokens: string[], itemId: number): Promise<Bought[]> {
  const placed = await Promise.all(tokens.map((t, i) => place(i, t, itemId)));
  assert.ok(placed.every((p) => p.status === 202), JSON.stringify(placed.filter((p) => p.status !== 202).map((p) => p.body)));
  await results.waitForAll(placed.map((p) => p.body.uuid), EVENT_TIMEOUT_MS);
  return placed.map((p, i) => {
    const r = results.results.get(p.body.uuid)!;
    assert.equal(r.status, 'SUCCESS');
    return { token: tokens[i]!, uuid: p.body.uuid, orderNo: r.orderNo! };
  });
}

async function stockState(itemId: number): Promise<{ db: number; redis: number; live: number }> {
  const [row] = await sql<{ left: number; live: string }>(
    env.databaseUrl,
    `SELECT (SELECT stock_left FROM seckill_goods WHERE id = $1) AS left,
            (SELECT count(*) FROM orders WHERE seckill_good_id = $1 AND status IN ('UNPAID', 'PAID')) AS live`,
    [itemId],
  );
  return { db: row!.left, redis: Number(await redis.get(keys.stock(itemId))), live: Number(row!.live) };
}

/** Re-asks at a pace under the rate limit until the answer is not 409 (a sold-out flag waiting for its broadcast). */
async function placeWhenFlagCleared(i: number, token: string, itemId: number): Promise<{ uuid: string }> {
  const requestId = randomUUID();
  const deadline = Date.now() + 15_000;
  for (;;) {
    const r = await place(i, token, itemId, requestId);
    if (r.status === 202) return r.body;
    assert.equal(r.body.code, 'SOLD_OUT', JSON.stringify(r.body));
    if (Date.now() > deadline) throw new Error('sold-out flag never cleared');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('the payment window', () => {
  it('50 sold, 20 paid, 30 expire: TIMEOUT pushed, 30 units back, 30 new shoppers buy them on two instances', async () => {
    await useWindow(WINDOW_SECONDS);
    const itemId = await seedSale(env.databaseUrl, { name: 'window', stock: 50 });
    const first = await shoppers(50, 'window-first');
    // Sockets first, as the page does: the TIMEOUT of the unpaid orders must be pushed to them.
    const requestIds = first.map(() => randomUUID());
    const sockets = first.map((t, i) => new SocketClient(`ws://127.0.0.1:${product.notifier.port}/${requestIds[i]}?token=${t}`));
    await Promise.all(sockets.map((s) => s.opened));
    const placed = await Promise.all(first.map((t, i) => place(i, t, itemId, requestIds[i])));
    assert.ok(placed.every((p) => p.status === 202));
    const frames = await Promise.all(sockets.map((s) => s.frame((f) => f.type === 'order.result', EVENT_TIMEOUT_MS)));
    assert.ok(frames.every((f) => f.status === 'SUCCESS'));

    // Paid right after their SUCCESS, seconds inside a window of WINDOW_SECONDS: no machine is slow enough to miss it.
    const payers = frames.slice(0, 20);
    const paid = await Promise.all(payers.map((f, i) => request<OrderView>(api1().url, 'POST', `/api/orders/${f.orderNo}/pay`, { token: first[i]! })));
    assert.ok(paid.every((p) => p.status === 200 && p.body.status === 'PAID'), JSON.stringify(paid.map((p) => p.body)));

    // Late shoppers find it sold out on both instances: each instance now holds a sold-out flag.
    const late = await shoppers(30, 'window-late');
    const refused = await Promise.all(late.map((t, i) => place(i, t, itemId)));
    assert.ok(refused.every((r) => r.status === 409 && r.body.code === 'SOLD_OUT'));

    // The other 30 are left to expire: the test waits for their TIMEOUT, however long the machine takes.
    const timeouts = await Promise.all(sockets.slice(20).map((s) => s.frame((f) => f.type === 'order.status', WINDOW_SECONDS * 1000 + EVENT_TIMEOUT_MS)));
    assert.ok(timeouts.every((f) => f.status === 'TIMEOUT'));
    const paidFrames = await Promise.all(sockets.slice(0, 20).map((s) => s.frame((f) => f.type === 'order.status')));
    assert.ok(paidFrames.every((f) => f.status === 'PAID'));
    await results.waitFor(() => frames.slice(20).every((f) => results.statusesOf(f.uuid).includes('TIMEOUT')), EVENT_TIMEOUT_MS, 'TIMEOUT events');
    // The paid orders' windows expire too; once the worker has handled all 50, none of the paid may have timed out.
    const handled = await windowsHandled(frames.map((f) => f.orderNo!));
    assert.deepEqual(payers.map((f) => handled.get(f.orderNo!)), payers.map(() => 'left-alone'), 'a paid order is left alone when its window expires');
    assert.deepEqual(frames.slice(20).map((f) => handled.get(f.orderNo!)), frames.slice(20).map(() => 'timed-out'));
    assert.deepEqual(await stockState(itemId), { db: 30, redis: 30, live: 20 });

    const rebought = await Promise.all(late.map((t, i) => placeWhenFlagCleared(i, t, itemId)));
    await results.waitForAll(rebought.map((r) => r.uuid), EVENT_TIMEOUT_MS);
    assert.ok(rebought.every((r) => results.results.get(r.uuid)!.status === 'SUCCESS'));
    assert.deepEqual(await stockState(itemId), { db: 0, redis: 0, live: 50 });
    assert.ok(paidFrames.every((f) => !results.statusesOf(f.uuid).includes('TIMEOUT')), 'a paid order never times out');
    assert.ok(sockets.every((s) => s.frames.filter((f) => f.type === 'order.status').length === 1), 'one status change per order');
    sockets.forEach((s) => s.close());
  });

  it('pay racing cancel, 200 times at once: exactly one wins each time and the stock stays right', async () => {
    // No order may expire during the race, however slow the machine: the window is far longer than the test.
    await useWindow(LONG_WINDOW_SECONDS);
    const itemId = await seedSale(env.databaseUrl, { name: 'pay-vs-cancel', stock: 200 });
    const bought = await buyAll(await shoppers(200, 'pvc'), itemId);
    const raced = await Promise.all(
      bought.map((b, i) =>
        Promise.all([
          request<OrderView>(apiOf(i).url, 'POST', `/api/orders/${b.orderNo}/pay`, { token: b.token }),
          request<OrderView>(apiOf(i + 1).url, 'POST', `/api/orders/${b.orderNo}/cancel`, { token: b.token }),
        ]),
      ),
    );
    let cancelled = 0;
    raced.forEach(([pay, cancel]) => {
      assert.ok((pay.status === 200) !== (cancel.status === 200), `exactly one wins: pay ${pay.status}, cancel ${cancel.status}`);
      if (pay.status !== 200) assert.equal((pay.body as unknown as { code: string }).code, 'ORDER_NOT_PAYABLE');
      if (cancel.status !== 200) assert.equal((cancel.body as unknown as { code: string }).code, 'ORDER_NOT_CANCELLABLE');
      if (cancel.status === 200) cancelled++;
    });
    const rows = await sql<{ order_no: string; status: string }>(env.databaseUrl, `SELECT order_no, status FROM orders WHERE seckill_good_id = $1`, [itemId]);
    const status = new Map(rows.map((r) => [r.order_no, r.status]));
    bought.forEach((b, i) => assert.equal(status.get(b.orderNo), raced[i]![0].status === 200 ? 'PAID' : 'CANCELLED'));
    assert.ok(cancelled > 0 && cancelled < 200, `both sides won some races (${cancelled} cancelled)`);
    assert.deepEqual(await stockState(itemId), { db: cancelled, redis: cancelled, live: 200 - cancelled });

    // A shopper whose order was cancelled may order the same item again.
    const again = bought.find((_, i) => raced[i]![1].status === 200)!;
    const reorder = await placeWhenFlagCleared(0, again.token, itemId);
    await results.waitForAll([reorder.uuid], EVENT_TIMEOUT_MS);
    assert.equal(results.results.get(reorder.uuid)!.status, 'SUCCESS');
  });

  it('pay racing the timeouts while they are processed, 200 orders: exactly one wins each time', async () => {
    // Half the orders get a window that cannot expire during the test, then half one that does. The pays of all
    // 200 are sent together the moment the first short-window order is timed out (an event, not a clock), so they
    // land while the worker is timing out the rest of that half.
    const itemId = await seedSale(env.databaseUrl, { name: 'pay-vs-timeout', stock: 200 });
    const tokens = await shoppers(200, 'pvt');
    await useWindow(LONG_WINDOW_SECONDS);
    const lasting = await buyAll(tokens.slice(100), itemId);
    await useWindow(WINDOW_SECONDS);
    const expiring = await buyAll(tokens.slice(0, 100), itemId);
    const timedOut = () => expiring.filter((b) => results.statusesOf(b.uuid).includes('TIMEOUT')).length;
    await results.waitFor(() => timedOut() > 0, WINDOW_SECONDS * 1000 + EVENT_TIMEOUT_MS, 'the first timeout of the short-window orders');
    const timedOutBeforePays = timedOut();
    const all = expiring.flatMap((b, i) => [b, lasting[i]!]);
    const pays = await Promise.all(all.map((b, i) => request<OrderView>(apiOf(i).url, 'POST', `/api/orders/${b.orderNo}/pay`, { token: b.token })));
    const won = new Set(all.filter((_, i) => pays[i]!.status === 200).map((b) => b.orderNo));
    console.log(`pay vs timeout: ${timedOutBeforePays} of 100 timed out when the pays went out, ${timedOut()} when they were answered; ${won.size} paid`);
    assert.ok(timedOutBeforePays < expiring.length, 'the pays went out while short-window orders were still being timed out');

    const expired = all.filter((b) => !won.has(b.orderNo));
    await results.waitFor(() => expired.every((b) => results.statusesOf(b.uuid).includes('TIMEOUT')), EVENT_TIMEOUT_MS, 'the timeouts of unpaid orders');
    // Every short window has been handled (paid ones left alone) before the states are read.
    const handled = await windowsHandled(expiring.map((b) => b.orderNo));
    const rows = await sql<{ order_no: string; status: string }>(env.databaseUrl, `SELECT order_no, status FROM orders WHERE seckill_good_id = $1`, [itemId]);
    const status = new Map(rows.map((r) => [r.order_no, r.status]));
    all.forEach((b, i) => {
      const paid = won.has(b.orderNo);
      assert.equal(status.get(b.orderNo), paid ? 'PAID' : 'TIMEOUT', `${b.orderNo}: pay answered ${pays[i]!.status}`);
      if (!paid) assert.equal((pays[i]!.body as unknown as { code: string }).code, 'ORDER_NOT_PAYABLE');
      assert.ok(!(paid && results.statusesOf(b.uuid).includes('TIMEOUT')), 'a paid order never times out');
    });
    expiring.forEach((b) => assert.equal(handled.get(b.orderNo), won.has(b.orderNo) ? 'left-alone' : 'timed-out', b.orderNo));
    assert.ok(lasting.every((b) => won.has(b.orderNo)), 'a pay inside its window wins, while other orders of the item time out');
    assert.ok(expired.length > 0, 'the timeout won where the window had closed');
    assert.deepEqual(await stockState(itemId), { db: expired.length, redis: expired.length, live: 200 - expired.length });

    // A shopper whose order timed out may order the same item again.
    const reorder = await placeWhenFlagCleared(0, expired[0]!.token, itemId);
    await results.waitForAll([reorder.uuid], EVENT_TIMEOUT_MS);
    assert.equal(results.results.get(reorder.uuid)!.status, 'SUCCESS');
  });
});

describe('restock', () => {
  it('adds units mid-sale: PostgreSQL, Redis and every sold-out flag follow', async () => {
    const itemId = await seedSale(env.databaseUrl, { name: 'restock', stock: 1 });
    const [a, b, c] = await shoppers(3, 'restock');
    await buyAll([a!], itemId);
    const refused = await Promise.all([place(0, b!, itemId), place(1, c!, itemId)]);
    assert.ok(refused.every((r) => r.status === 409 && r.body.code === 'SOLD_OUT'), 'both instances now hold a sold-out flag');
    const added = await request<{ stockTotal: number; stockLeft: number; status: string }>(api1().url, 'POST', `/api/admin/seckill/goods/${itemId}/stock`, { token: admin, json: { delta: 2 } });
    assert.equal(added.status, 200);
    assert.deepEqual([added.body.stockTotal, added.body.stockLeft, added.body.status], [3, 2, 'live']);
    const rebought = await Promise.all([placeWhenFlagCleared(0, b!, itemId), placeWhenFlagCleared(1, c!, itemId)]);
    await results.waitForAll(rebought.map((r) => r.uuid), EVENT_TIMEOUT_MS);
    assert.ok(rebought.every((r) => results.results.get(r.uuid)!.status === 'SUCCESS'));
    assert.deepEqual(await stockState(itemId), { db: 0, redis: 0, live: 3 });
  });
});

describe('reconciliation', () => {
  it('survives Redis emptied mid-sale: the sale carries on, nothing is oversold, Redis equals PostgreSQL when quiet', async () => {
    const itemId = await seedSale(env.databaseUrl, { name: 'flush', stock: 300 });
    const tokens = await shoppers(800, 'flush');
    const fire = (slice: string[]) =>
      Promise.all([
        burst<{ uuid?: string; code?: string }>(`${api1().url}/api/seckill/orders`, slice.filter((_, i) => i % 2 === 0).map((token) => ({ token, body: { seckillGoodId: itemId } }))),
        burst<{ uuid?: string; code?: string }>(`${api2().url}/api/seckill/orders`, slice.filter((_, i) => i % 2 === 1).map((token) => ({ token, body: { seckillGoodId: itemId } }))),
      ]).then(([a, b]) => [...a, ...b]);

    const firstWave = fire(tokens.slice(0, 200));
    // Redis loses everything of this environment while orders are in flight (as after a restart without persistence).
    const flushed = (async () => {
      const found = await redis.keys(`${env.redisKeyPrefix}*`);
      if (found.length) await redis.del(...found);
    })();
    const [a] = await Promise.all([firstWave, flushed]);
    const b = await fire(tokens.slice(200));
    const responses = [...a, ...b];
    assert.ok(responses.every((r) => r.status === 202 || r.status === 409), JSON.stringify(responses.filter((r) => r.status >= 500).slice(0, 3)));
    const accepted = responses.filter((r) => r.status === 202).map((r) => r.body.uuid!);
    assert.ok(b.some((r) => r.status === 202), 'the sale carried on after the flush');
    await results.waitForAll(accepted, 60_000);

    const [sold] = await sql<{ n: string; users: string }>(env.databaseUrl, `SELECT count(*) AS n, count(DISTINCT user_id) AS users FROM orders WHERE seckill_good_id = $1`, [itemId]);
    assert.ok(Number(sold!.n) <= 300, `not oversold: ${sold!.n}`);
    assert.equal(Number(sold!.n), Number(sold!.users));
    const report = await request<{ before: { redis: number | null; db: number }; after: { redis: number; db: number }; repaired: boolean }>(
      api1().url, 'POST', `/api/admin/seckill/goods/${itemId}/reconcile`, { token: admin },
    );
    assert.equal(report.status, 200);
    assert.equal(report.body.after.redis, report.body.after.db, JSON.stringify(report.body));
    const state = await stockState(itemId);
    assert.deepEqual([state.db, state.redis], [300 - Number(sold!.n), 300 - Number(sold!.n)]);
    assert.equal(await redis.hlen(keys.buyers(itemId)), state.live, 'buyers in Redis are exactly the live orders');
  });
});
