import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { loadConfig } from '@seckill/config';
import type { QueueInfo } from '@seckill/messaging';
import type { SaleItemRepository, SaleOpsRecord } from '@seckill/persistence';
import type { RoomStore } from '@seckill/waiting-room';
import type { StockService } from '@seckill/stock';
import { asReal, FakeSaleItems, FakeStock } from '@seckill/testing';
import { OpsOverviewService } from './ops-overview.service';

/**
 * The service builds its ManagementClient from the configuration, so RabbitMQ's side is served by a management
 * API of the test's own, in this process on a loopback port: the real client's requests (path, vhost, basic
 * auth) are what it sees.
 */
interface FakeApi {
  url: string;
  seen: { path: string; authorization: string | undefined }[];
  answer: { status: number; body: unknown };
}

const servers: Server[] = [];
after(() => Promise.all(servers.map((s) => new Promise((done) => s.close(done)))));

async function managementApi(): Promise<FakeApi> {
  const api: FakeApi = { url: '', seen: [], answer: { status: 200, body: [] } };
  const server = createServer((req, res) => {
    api.seen.push({ path: req.url ?? '', authorization: req.headers.authorization });
    res.writeHead(api.answer.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(api.answer.body));
  });
  servers.push(server);
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  api.url = `http://ops:s3cret@127.0.0.1:${(server.address() as AddressInfo).port}`;
  return api;
}

function world(managementUrl: string) {
  const items = new FakeSaleItems();
  const stock = new FakeStock();
  const config = loadConfig({ RABBITMQ_MANAGEMENT_URL: managementUrl, RABBITMQ_URL: 'amqp://guest:guest@127.0.0.1:5672/sale%2F1' });
  // Room counts are Redis scripts and sorted sets (covered by waiting-room's integration spec); here a fixed answer.
  const rooms = { counts: async () => ({ waiting: 7, admitted: 3, outstanding: 2, closed: null }) } as unknown as RoomStore;
  const service = new OpsOverviewService(asReal<SaleItemRepository>(items), asReal<StockService>(stock), config, rooms);
  return { items, stock, service };
}

const queue = (name: string, messages: number, rates?: { publish: number; deliver: number; ack: number }): QueueInfo => ({
  name,
  messages,
  messages_ready: messages,
  messages_unacknowledged: 0,
  consumers: 1,
  arguments: {},
  ...(rates ? { message_stats: { publish_details: { rate: rates.publish }, deliver_get_details: { rate: rates.deliver }, ack_details: { rate: rates.ack } } } : {}),
});

describe('OpsOverviewService', () => {
  it('shows each sale in PostgreSQL and Redis side by side, with the drift between them', async () => {
    const api = await managementApi();
    const w = world(api.url);
    const loaded = w.items.add({ name: 'loaded', stock: 10, stockLeft: 4 });
    const notLoaded = w.items.add({ name: 'not loaded', stock: 5, startTime: new Date(Date.now() - 7_200_000) });
    await w.stock.load(loaded.id, 3, []); // one reservation still on its way to PostgreSQL
    const opsSummary = w.items.opsSummary.bind(w.items);
    w.items.opsSummary = async (limit?: number): Promise<SaleOpsRecord[]> =>
      (await opsSummary(limit)).map((r) => (r.id === loaded.id ? { ...r, orders: { UNPAID: 4, PAID: 2 }, requests: { SUCCESS: 6, FAIL: 1 } } : r));

    const { sales } = await w.service.overview();
    assert.deepEqual(
      sales.map((s) => [s.id, s.status, s.db, s.redis, s.drift]),
      [
        [loaded.id, 'live', { stockLeft: 4, sold: 6 }, { stockLeft: 3 }, -1],
        [notLoaded.id, 'live', { stockLeft: 5, sold: 0 }, { stockLeft: null }, null],
      ],
    );
    assert.deepEqual(sales[0]?.orders, { UNPAID: 4, PAID: 2, CANCELLED: 0, TIMEOUT: 0 });
    assert.deepEqual(sales[1]?.requests, { SUCCESS: 0, FAIL: 0 });
    await w.stock.add(loaded.id, -3);
    assert.equal((await w.service.overview()).sales[0]?.status, 'sold_out', 'Redis says what can still be reserved');
  });

  it('lists the sales with a waiting room on, with their counts, pace and phase', async () => {
    const api = await managementApi();
    const w = world(api.url);
    w.items.add({ name: 'no room', stock: 5 });
    const drop = w.items.add({ name: 'drop', stock: 10, stockLeft: 6, room: { enabled: true, admitPerSecond: 25, preQueueSeconds: 60 } });
    const later = w.items.add({ name: 'later', stock: 3, startTime: new Date(Date.now() + 600_000), room: { enabled: true, admitPerSecond: 5, preQueueSeconds: 900 } });
    await w.stock.load(drop.id, 6, []);
    const { rooms } = await w.service.overview();
    assert.deepEqual(
      rooms.map((r) => [r.seckillGoodId, r.name, r.admitPerSecond, r.preQueueSeconds, r.waiting, r.admitted, r.outstanding, r.sold, r.stockLeft, r.phase]).sort(),
      [
        [drop.id, 'drop', 25, 60, 7, 3, 2, 4, 6, 'ADMITTING'],
        [later.id, 'later', 5, 900, 7, 3, 2, 0, null, 'PRE_QUEUE'],
      ].sort(),
    );
  });

  it('lists the product\'s queues of the configured vhost from the management API, parking lots marked with their source', async () => {
    const api = await managementApi();
    api.answer.body = [
      queue('seckill.order.pending', 12, { publish: 100, deliver: 90, ack: 88 }),
      queue('other.app.queue', 3),
      queue('seckill.order.pending.parking-lot', 2),
      queue('seckill.notify.results', 0),
    ];
    const w = world(api.url);
    const overview = await w.service.overview();
    assert.deepEqual(overview.rabbitmq, { available: true });
    assert.deepEqual(
      overview.queues.map((q) => [q.name, q.messages, q.publishRate, q.ackRate, q.isParkingLot, q.source]),
      [
        ['seckill.notify.results', 0, 0, 0, false, null],
        ['seckill.order.pending', 12, 100, 88, false, null],
        ['seckill.order.pending.parking-lot', 2, 0, 0, true, 'seckill.order.pending'],
      ],
    );
    assert.deepEqual(api.seen, [{ path: '/api/queues/sale%2F1', authorization: `Basic ${Buffer.from('ops:s3cret').toString('base64')}` }]);
  });

  it('still shows the sales when the management API fails or cannot be reached, and says why RabbitMQ is missing', async () => {
    const api = await managementApi();
    api.answer = { status: 503, body: { error: 'not ready' } };
    const w = world(api.url);
    w.items.add({ stock: 1 });
    const failing = await w.service.overview();
    assert.equal(failing.sales.length, 1);
    assert.deepEqual(failing.queues, []);
    assert.equal(failing.rabbitmq.available, false);
    assert.match(failing.rabbitmq.error ?? '', /503/);

    const closed = await managementApi();
    const server = servers.pop()!;
    await new Promise((done) => server.close(done));
    const unreachable = await world(closed.url).service.overview();
    assert.equal(unreachable.rabbitmq.available, false);
  });

  it('with RABBITMQ_MANAGEMENT_URL listing several endpoints, reads whichever answers while another is gone', async () => {
    const failing = await managementApi();
    failing.answer = { status: 503, body: { error: 'node shutting down' } };
    const gone = await managementApi();
    const server = servers.pop()!;
    await new Promise((done) => server.close(done));
    const answering = await managementApi();
    answering.answer.body = [queue('seckill.order.pending', 7)];
    const w = world([failing.url, gone.url, answering.url].join(','));
    for (let i = 0; i < 2; i++) {
      const overview = await w.service.overview();
      assert.deepEqual(overview.rabbitmq, { available: true });
      assert.deepEqual(overview.queues.map((q) => [q.name, q.messages]), [['seckill.order.pending', 7]]);
    }
    assert.equal(failing.seen.length, 1, 'asked once; then the endpoint that answered is asked first');
    assert.equal(answering.seen.length, 2);
  });

  it('fails as a whole when Redis is away (the page cannot compare the two sides)', async () => {
    const api = await managementApi();
    const w = world(api.url);
    w.items.add({ stock: 1 });
    const fault = new Error('Connection is closed.');
    w.stock.failNext(fault);
    await assert.rejects(w.service.overview(), fault);
  });

  it('names the queue a parking lot belongs to', () => {
    assert.equal(OpsOverviewService.sourceOf('seckill.order.fail.release.parking-lot'), 'seckill.order.fail.release');
    assert.equal(OpsOverviewService.sourceOf('seckill.order.pending'), undefined);
  });
});
