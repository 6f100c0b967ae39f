import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ChannelModel } from 'amqplib';
import { connectAmqp } from '@seckill/messaging';
import {
  ARTIFACTS,
  burst,
  mintToken,
  request,
  seedSale,
  seedShoppers,
  SocketClient,
  startProduct,
  TEST_JWT_SECRET,
  type AppProcess,
  type Product,
  type ResultCollector,
  type TestEnv,
} from '@seckill/testing';

/** Metrics, health, the ops API and logs that follow one order, with the three apps as real processes. */
let product: Product;
let env: TestEnv;
let api: AppProcess;
let worker: AppProcess;
let notifier: AppProcess;
let results: ResultCollector;
let amqp: ChannelModel;
let admin: string;

before(async () => {
  product = await startProduct('e2e-obs');
  ({ env, results, api, worker, notifier } = product);
  amqp = await connectAmqp(env.amqpUrl);
  admin = (await request<{ accessToken: string }>(api.url, 'POST', '/api/auth/login', { json: { username: 'admin', password: 'admin' } })).body.accessToken;
});

after(async () => {
  await amqp?.close();
  await product?.stop();
});

async function metricsOf(app: AppProcess): Promise<string> {
  const res = await fetch(`${app.url}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
  return res.text();
}

/** Sum of a metric's samples whose labels contain every given label pair. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .filter((l) => Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

/** Re-reads a condition that only becomes true after other processes act (bounded). */
async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('health', () => {
  it('answers liveness and readiness with every dependency of each app', async () => {
    for (const [app, parts] of [
      [api, ['postgres', 'redis', 'rabbitmq', 'consumer:stock-broadcast']],
      [worker, ['postgres', 'redis', 'rabbitmq', 'consumer:seckill.order.pending', 'consumer:seckill.order.fail.release', 'consumer:seckill.order.timeout']],
      [notifier, ['postgres', 'redis', 'rabbitmq', 'redis-subscriber', 'consumer:seckill.notify.results']],
    ] as const) {
      const live = await request<{ status: string }>(app.url, 'GET', '/health');
      assert.deepEqual([live.status, live.body.status], [200, 'ok']);
      const ready = await request<{ status: string; info: Record<string, { status: string }>; error: Record<string, unknown> }>(app.url, 'GET', '/health/ready');
      assert.equal(ready.status, 200, JSON.stringify(ready.body));
      // Dependencies, and what else the app's work needs: its consumers attached, the notifier's subscriber.
      assert.deepEqual(Object.keys(ready.body.info).sort(), [...parts].sort());
      assert.ok(Object.values(ready.body.info).every((d) => d.status === 'up'));
      assert.deepEqual(ready.body.error, {});
    }
  });
});

describe('metrics, ops API and logs during a small sale', () => {
  it('count what happened, show PostgreSQL and Redis side by side, and follow one order by its uuid', async () => {
    const itemId = await seedSale(env.databaseUrl, { name: 'observed', stock: 5 });
    const tokens = (await seedShoppers(env.databaseUrl, 20, 'obs')).map((u) => mintToken(TEST_JWT_SECRET, u));
    const traced = randomUUID();
    const socket = new SocketClient(`ws://127.0.0.1:${notifier.port}/${traced}?token=${tokens[0]}`);
    await socket.opened;
    const first = await request<{ uuid: string }>(api.url, 'POST', '/api/seckill/orders', { token: tokens[0]!, json: { seckillGoodId: itemId, requestId: traced } });
    assert.equal(first.status, 202);
    await socket.frame();
    const rest = await burst<{ uuid?: string }>(`${api.url}/api/seckill/orders`, tokens.slice(1).map((token) => ({ token, body: { seckillGoodId: itemId } })));
    const accepted = [traced, ...rest.filter((r) => r.status === 202).map((r) => r.body.uuid!)];
    assert.equal(accepted.length, 5);
    await results.waitForAll(accepted, 30_000);

    const apiMetrics = await metricsOf(api);
    assert.equal(sample(apiMetrics, 'seckill_reservations_total', { outcome: 'reserved' }), 5);
    assert.equal(sample(apiMetrics, 'seckill_reservations_total', { outcome: 'sold_out' }) + sample(apiMetrics, 'seckill_reservations_total', { outcome: 'flagged' }), 15);
    assert.equal(sample(apiMetrics, 'seckill_http_responses_total', { route: '/api/seckill/orders', status: '202' }), 5);
    assert.equal(sample(apiMetrics, 'seckill_http_responses_total', { route: '/api/seckill/orders', status: '409' }), 15);
    assert.ok(sample(apiMetrics, 'seckill_publish_confirm_seconds_count', { exchange: 'seckill.order' }) >= 5);
    assert.ok(sample(apiMetrics, 'process_resident_memory_bytes') > 0);

    const workerMetrics = await metricsOf(worker);
    assert.equal(sample(workerMetrics, 'seckill_orders_total', { event: 'created' }), 5);
    assert.ok(sample(workerMetrics, 'seckill_consumer_batch_size_count', { queue: 'seckill.order.pending' }) >= 1);
    assert.equal(sample(workerMetrics, 'seckill_consumer_batch_size_sum', { queue: 'seckill.order.pending' }), 5);

    const notifierMetrics = await metricsOf(notifier);
    assert.equal(sample(notifierMetrics, 'seckill_ws_connections'), 1);
    assert.equal(sample(notifierMetrics, 'seckill_ws_pushes_total', { type: 'order.result' }), 1);
    socket.close();

    const ops = await request<{ sales: { id: number; db: { stockLeft: number; sold: number }; redis: { stockLeft: number }; drift: number; orders: Record<string, number> }[]; queues: { name: string; consumers: number }[]; rabbitmq: { available: boolean } }>(
      api.url, 'GET', '/api/admin/ops/overview', { token: admin },
    );
    assert.equal(ops.status, 200);
    const sale = ops.body.sales.find((s) => s.id === itemId)!;
    assert.deepEqual([sale.db.sold, sale.db.stockLeft, sale.redis.stockLeft, sale.drift, sale.orders.UNPAID], [5, 0, 0, 0, 5]);
    assert.equal(ops.body.rabbitmq.available, true);
    // The management API refreshes its queue statistics every few seconds.
    await eventually('the worker seen as a consumer of the pending queue', async () => {
      const again = await request<{ queues: { name: string; consumers: number }[] }>(api.url, 'GET', '/api/admin/ops/overview', { token: admin });
      return (again.body.queues.find((q) => q.name === 'seckill.order.pending')?.consumers ?? 0) >= 1;
    });
    const forbidden = await request<{ code: string }>(api.url, 'GET', '/api/admin/ops/overview', { token: tokens[1]! });
    assert.deepEqual([forbidden.status, forbidden.body.code], [403, 'FORBIDDEN']);

    // One search for the uuid follows the order through all three apps.
    const logOf = (app: AppProcess) => readFileSync(join(ARTIFACTS, 'logs', `${app.label}.log`), 'utf8');
    await eventually('the uuid in every log', async () => [api, worker, notifier].every((app) => logOf(app).includes(traced)));
    const lines = [api, worker, notifier].flatMap((app) => logOf(app).split('\n').filter((l) => l.includes(traced)).map((l) => JSON.parse(l) as { app: string; msg: string; uuid: string; level: number }));
    assert.ok(lines.every((l) => l.uuid === traced));
    assert.deepEqual([...new Set(lines.map((l) => l.app))].sort(), ['order-api', 'order-worker', 'websocket-notifier']);
    assert.deepEqual(lines.filter((l) => l.app === 'order-worker').map((l) => [l.msg, l.level]), [['order decided', 30]]);
    // Besides, one line per batch with its counts, which add up to the sale.
    const batches = logOf(worker).split('\n').filter((l) => l.includes('"order batch decided"')).map((l) => JSON.parse(l) as { level: number; created: number; failed: number; duplicates: number });
    assert.ok(batches.length >= 1 && batches.every((b) => b.level === 30));
    assert.deepEqual(batches.reduce((t, b) => [t[0]! + b.created, t[1]! + b.failed, t[2]! + b.duplicates], [0, 0, 0]), [5, 0, 0]);
  });

  it('parks a poisoned message and replays a parking lot on an admin\'s request', async () => {
    const ch = await amqp.createConfirmChannel();
    ch.publish('seckill.order', 'order.pending', Buffer.from('{not json'), { persistent: true });
    await ch.waitForConfirms();
    const lot = 'seckill.order.pending.parking-lot';
    await eventually('the poisoned message in the parking lot', async () => (await ch.checkQueue(lot)).messageCount === 1);
    const replay = await request<{ queue: string; to: string; replayed: number }>(api.url, 'POST', `/api/admin/ops/parking-lots/${lot}/replay`, { token: admin });
    assert.deepEqual(replay.body, { queue: lot, to: 'seckill.order.pending', replayed: 1 });
    // Still unparseable, so the worker parks it again: it went back through the pending queue.
    await eventually('the message parked again', async () => (await ch.checkQueue(lot)).messageCount === 1);
    const unknown = await request<{ code: string }>(api.url, 'POST', '/api/admin/ops/parking-lots/nope/replay', { token: admin });
    assert.deepEqual([unknown.status, unknown.body.code], [404, 'NOT_FOUND']);
    const apiLog = readFileSync(join(ARTIFACTS, 'logs', `${api.label}.log`), 'utf8');
    assert.match(apiLog, /"operator":"admin".*"parking lot replayed"/);
    await ch.close();
  });
});
