import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import Redis from 'ioredis';
import { MESSAGE_VERSION, type OrderStatusMessage } from '@seckill/contracts';
import { ConfirmedPublisher, createAmqpConnection, Exchange, RoutingKey } from '@seckill/messaging';
import {
  mintToken,
  request,
  seedSale,
  seedShoppers,
  SocketClient,
  startProduct,
  TEST_JWT_SECRET,
  type AppProcess,
  type Product,
  type TestEnv,
} from '@seckill/testing';

/** websocket-notifier with two instances, order-api and order-worker as real processes. */
let product: Product;
let env: TestEnv;
let itemId: number;
let tokens: string[];
let nextShopper = 0;

const PING_MS = 300;
const api = () => product.api;
const [notifierA, notifierB] = [() => product.instances('websocket-notifier')[0]!, () => product.instances('websocket-notifier')[1]!];

before(async () => {
  product = await startProduct('e2e-notifier', { instances: { 'websocket-notifier': 2 }, vars: { NOTIFIER_PING_INTERVAL_MS: String(PING_MS) }, collector: false });
  env = product.env;
  itemId = await seedSale(env.databaseUrl, { stock: 1000 });
  tokens = (await seedShoppers(env.databaseUrl, 100, 'notifier')).map((u) => mintToken(TEST_JWT_SECRET, u));
});

after(async () => {
  await product?.stop();
});

const wsUrl = (n: AppProcess, uuid: string, token?: string) => `ws://127.0.0.1:${n.port}/${uuid}${token === undefined ? '' : `?token=${encodeURIComponent(token)}`}`;
const shopper = () => tokens[nextShopper++]!;
const order = (token: string, requestId: string) =>
  request<{ uuid: string; status: string }>(api().url, 'POST', '/api/seckill/orders', { token, json: { seckillGoodId: itemId, requestId } });

/** Resolves once the notifier has stored the uuid's outcome in Redis (read again every 50 ms; 20 s at most). */
async function stored(uuid: string): Promise<void> {
  const redis = new Redis(env.redisUrl);
  try {
    for (const deadline = Date.now() + 20_000; !(await redis.hget(`${env.redisKeyPrefix}notify:${uuid}`, 'result')); ) {
      if (Date.now() > deadline) throw new Error(`the outcome of ${uuid} was never stored`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    redis.disconnect();
  }
}

describe('websocket-notifier', () => {
  it('pushes the outcome to a socket opened before the order was posted', async () => {
    const token = shopper();
    const uuid = randomUUID();
    const socket = new SocketClient(wsUrl(notifierA(), uuid, token));
    await socket.opened;
    assert.equal((await order(token, uuid)).status, 202);
    const frame = await socket.frame();
    assert.equal(frame.type, 'order.result');
    assert.equal(frame.uuid, uuid);
    assert.equal(frame.status, 'SUCCESS');
    assert.match(frame.orderNo ?? '', /^\d+$/);
    socket.close();
  });

  it('gives a socket that connects after the outcome the stored outcome at once', async () => {
    const token = shopper();
    const uuid = randomUUID();
    assert.equal((await order(token, uuid)).status, 202);
    // Nobody holds the uuid, so nothing is announced: the stored outcome says the socket below is really late.
    await stored(uuid);
    const late = new SocketClient(wsUrl(notifierB(), uuid, token));
    const frame = await late.frame();
    assert.deepEqual([frame.uuid, frame.status], [uuid, 'SUCCESS']);
    late.close();
  });

  it('finds in PostgreSQL an outcome Redis lost, and pushes it to the socket still waiting for it', async () => {
    const token = shopper();
    const uuid = randomUUID();
    const redis = new Redis(env.redisUrl);
    try {
      assert.equal((await order(token, uuid)).status, 202);
      await stored(uuid);
      // Redis loses the stored copy (restarted empty), and with it the only way a late socket would hear it.
      await redis.del(`${env.redisKeyPrefix}notify:${uuid}`);
      const late = new SocketClient(wsUrl(notifierA(), uuid, token));
      const started = Date.now();
      const frame = await late.frame(() => true, 30_000);
      assert.deepEqual([frame.uuid, frame.status], [uuid, 'SUCCESS']);
      assert.ok(Date.now() - started >= 5_000, 'it came from the safety net, not from a store that still had it');
      assert.ok(await redis.hget(`${env.redisKeyPrefix}notify:${uuid}`, 'result'), 'and is back in Redis for the next socket');
      late.close();
    } finally {
      redis.disconnect();
    }
  });

  it('pushes to every tab waiting on one uuid, on both instances', async () => {
    const token = shopper();
    const uuid = randomUUID();
    const tabs = [notifierA, notifierA, notifierB, notifierB].map((n) => new SocketClient(wsUrl(n(), uuid, token)));
    await Promise.all(tabs.map((t) => t.opened));
    assert.equal((await order(token, uuid)).status, 202);
    const frames = await Promise.all(tabs.map((t) => t.frame()));
    assert.ok(frames.every((f) => f.uuid === uuid && f.status === 'SUCCESS' && f.orderNo === frames[0]!.orderNo));
    // Counting now would judge before a duplicate could arrive. Paying produces a later event on the same uuid:
    // it is stored and announced to the holding instances after the result was, so once every tab has the PAID
    // frame, any second copy of the result (store read and announcement both answering) would be there too.
    const paid = await request<{ status: string }>(api().url, 'POST', `/api/orders/${frames[0]!.orderNo}/pay`, { token });
    assert.deepEqual([paid.status, paid.body.status], [200, 'PAID']);
    await Promise.all(tabs.map((t) => t.frame((f) => f.type === 'order.status')));
    for (const t of tabs) {
      assert.deepEqual(t.frames.map((f) => [f.type, f.status]), [['order.result', 'SUCCESS'], ['order.status', 'PAID']], 'each tab gets the outcome exactly once');
    }
    tabs.forEach((t) => t.close());
  });

  it('reaches sockets on whichever instance holds them, whichever instance consumed the outcome', async () => {
    const waits = [];
    for (let i = 0; i < 12; i++) {
      const token = shopper();
      const uuid = randomUUID();
      const socket = new SocketClient(wsUrl((i % 2 ? notifierA : notifierB)(), uuid, token));
      await socket.opened;
      waits.push(order(token, uuid).then(() => socket.frame()).finally(() => socket.close()));
    }
    const frames = await Promise.all(waits);
    assert.equal(frames.filter((f) => f.status === 'SUCCESS').length, 12);
  });

  it('sends later status changes of the order to the same uuid, after its result', async () => {
    const token = shopper();
    const uuid = randomUUID();
    const socket = new SocketClient(wsUrl(notifierB(), uuid, token));
    await socket.opened;
    assert.equal((await order(token, uuid)).status, 202);
    const result = await socket.frame((f) => f.type === 'order.result');
    const connection = createAmqpConnection({ url: env.amqpUrl, name: 'e2e-status' });
    const publisher = new ConfirmedPublisher(connection, 5000);
    const status: OrderStatusMessage = {
      version: MESSAGE_VERSION, type: 'order.status', uuid, userId: 0, seckillGoodId: itemId, orderNo: result.orderNo!, status: 'PAID', at: new Date().toISOString(),
    };
    status.userId = Number(JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).sub);
    await publisher.publish(Exchange.RESULT, RoutingKey.ORDER_STATUS, status, { uuid });
    const paid = await socket.frame((f) => f.type === 'order.status');
    assert.deepEqual(paid, { type: 'order.status', uuid, orderNo: result.orderNo, status: 'PAID' });
    // A tab opened now gets both, in order.
    const later = new SocketClient(wsUrl(notifierA(), uuid, token));
    await later.frame((f) => f.type === 'order.status');
    assert.deepEqual(later.frames.map((f) => f.type), ['order.result', 'order.status']);
    socket.close();
    later.close();
    await publisher.close();
    await connection.close();
  });

  it('closes with 4401 for a missing or invalid token, 4403 for another shopper\'s uuid, 4400 for a bad path', async () => {
    const uuid = randomUUID();
    assert.equal((await new SocketClient(wsUrl(notifierA(), uuid)).closed).code, 4401);
    assert.equal((await new SocketClient(wsUrl(notifierA(), uuid, 'not-a-token')).closed).code, 4401);
    const expired = mintToken(TEST_JWT_SECRET, { id: 1, username: 'x' }, -10);
    assert.equal((await new SocketClient(wsUrl(notifierB(), uuid, expired)).closed).code, 4401);

    const owner = shopper();
    assert.equal((await order(owner, uuid)).status, 202);
    assert.equal((await new SocketClient(wsUrl(notifierB(), uuid, shopper())).closed).code, 4403);
    assert.equal((await new SocketClient(`ws://127.0.0.1:${notifierA().port}/not-a-uuid?token=${owner}`).closed).code, 4400);
  });

  it('keeps an unknown uuid waiting (it may still be in flight), and drops a socket that misses two pongs', async () => {
    const token = shopper();
    const healthy = new SocketClient(wsUrl(notifierA(), randomUUID(), token));
    const silent = new SocketClient(wsUrl(notifierA(), randomUUID(), token), { autoPong: false });
    await Promise.all([healthy.opened, silent.opened]);
    const dropped = await silent.closed;
    assert.equal(dropped.code, 1006, 'terminated without a close frame');
    assert.equal(healthy.isOpen, true, 'the socket that answers pings is kept');
    healthy.close();
  });

  it('delivers through the other instance when one stops and its sockets reconnect there', async () => {
    await product.worker.stop();
    const pending = await Promise.all(
      Array.from({ length: 5 }, async () => {
        const token = shopper();
        const uuid = randomUUID();
        const socket = new SocketClient(wsUrl(notifierA(), uuid, token));
        await socket.opened;
        assert.equal((await order(token, uuid)).status, 202);
        return { token, uuid, socket };
      }),
    );
    const stopping = notifierA();
    await stopping.stop();
    for (const p of pending) assert.equal((await p.socket.closed).code, 1001, 'told the server is going away');
    // The page reconnects to another instance; the outcomes do not exist yet.
    const reconnected = pending.map((p) => new SocketClient(wsUrl(notifierB(), p.uuid, p.token)));
    await Promise.all(reconnected.map((s) => s.opened));
    await product.replace(product.worker, { label: 'worker-2' });
    const frames = await Promise.all(reconnected.map((s) => s.frame()));
    assert.deepEqual(frames.map((f) => f.uuid), pending.map((p) => p.uuid));
    assert.ok(frames.every((f) => f.status === 'SUCCESS'));
    // Instance A back on its port, so a test run after this one finds both instances.
    await product.replace(stopping, { label: 'notifier-a-restarted' });
    reconnected.forEach((s) => s.close());
  });
});
