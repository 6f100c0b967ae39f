import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { loadConfig } from '@seckill/config';
import { MESSAGE_VERSION, type OrderResultMessage, type OrderStatusMessage } from '@seckill/contracts';
import type { StockService } from '@seckill/stock';
import { asReal, FakeRedis, FakeRedisServer, FakeStock } from '@seckill/testing';
import { SocketRegistry } from '../socket/socket-registry';
import { OutcomeStore } from './outcome-store';

const PAYMENT_WINDOW_SECONDS = 900;

function world() {
  const server = new FakeRedisServer();
  const redis = new FakeRedis(server);
  const listener = new FakeRedis(server);
  const stock = new FakeStock();
  const config = loadConfig({ PAYMENT_WINDOW_SECONDS: String(PAYMENT_WINDOW_SECONDS) });
  const store = new OutcomeStore(redis.asRedis(), asReal<StockService>(stock), new SocketRegistry(redis.asRedis(), config), config);
  /** Another instance, whose subscriber hears its channel: what it hears, with what the store held at that moment. */
  const elsewhere = new SocketRegistry(redis.asRedis(), config);
  const heard: { channel: string; payload: { uuid: string }; storedThen: Record<string, string> }[] = [];
  listener.on('message', (channel: string, payload: string) => {
    const parsed = JSON.parse(payload) as { uuid: string };
    heard.push({ channel, payload: parsed, storedThen: Object.fromEntries(server.hashes.get(store.key(parsed.uuid)) ?? []) });
  });
  /** The other instance holds a socket for the uuid: registered, and listening to its channel. */
  const holdElsewhere = async (uuid: string) => {
    await listener.subscribe(elsewhere.channel());
    await elsewhere.register(uuid);
  };
  return { server, redis, listener, stock, store, heard, elsewhere, holdElsewhere, config };
}

const success = (uuid: string, userId = 7): OrderResultMessage => ({
  version: MESSAGE_VERSION,
  type: 'order.result',
  uuid,
  userId,
  seckillGoodId: 1,
  status: 'SUCCESS',
  orderNo: '20261201000000000001',
  decidedAt: new Date().toISOString(),
});

const paid = (uuid: string, userId = 7): OrderStatusMessage => ({
  version: MESSAGE_VERSION,
  type: 'order.status',
  uuid,
  userId,
  seckillGoodId: 1,
  orderNo: '20261201000000000001',
  status: 'PAID',
  at: new Date().toISOString(),
});

/** The fake delivers announcements in microtasks; they have all arrived once the next macrotask runs. */
const announced = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('OutcomeStore', () => {
  it('stores the outcome for late sockets (with a TTL past the payment window) before announcing it to the instance holding the uuid', async () => {
    const w = world();
    const uuid = randomUUID();
    await w.holdElsewhere(uuid);
    await w.store.record(success(uuid));
    await announced();
    const frame = { type: 'order.result', uuid, status: 'SUCCESS', orderNo: '20261201000000000001' };
    assert.deepEqual(await w.store.read(uuid), { userId: 7, frames: [frame] });
    assert.equal(w.server.ttls.get(w.store.key(uuid)), PAYMENT_WINDOW_SECONDS + 3600);
    assert.deepEqual(w.heard.map((h) => [h.channel, h.payload]), [[w.elsewhere.channel(), { uuid, userId: 7, frame }]]);
    assert.equal(w.heard[0]?.storedThen.result, JSON.stringify(frame), 'stored before it was announced');
  });

  it('announces to every instance holding the uuid, and to none for a uuid nobody holds or whose holder\'s lease ran out', async (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: Date.now() });
    const w = world();
    const [held, lapsed, nobodys] = [randomUUID(), randomUUID(), randomUUID()];
    const third = new SocketRegistry(w.redis.asRedis(), w.config);
    await w.elsewhere.register(lapsed);
    t.mock.timers.tick(3 * w.config.NOTIFIER_PING_INTERVAL_MS + 1);
    await w.holdElsewhere(held);
    await w.listener.subscribe(third.channel());
    await third.register(held);
    for (const uuid of [held, lapsed, nobodys]) await w.store.record(success(uuid));
    await announced();
    assert.deepEqual(w.heard.map((h) => [h.channel, h.payload.uuid]).sort(), [[w.elsewhere.channel(), held], [third.channel(), held]].sort());
  });

  it('keeps a later status beside the result, and a replayed event changes nothing', async () => {
    const w = world();
    const uuid = randomUUID();
    await w.store.record(success(uuid));
    await w.store.record(paid(uuid));
    await w.store.record(success(uuid));
    const stored = await w.store.read(uuid);
    assert.deepEqual(stored?.frames.map((f) => [f.type, f.status]), [['order.result', 'SUCCESS'], ['order.status', 'PAID']]);
    assert.deepEqual(Object.keys(Object.fromEntries(w.server.hashes.get(w.store.key(uuid))!)).sort(), ['result', 'status', 'userId']);
  });

  it('writes what order-api\'s poll reads while PostgreSQL is away (StockService.storedResult: userId and result)', async () => {
    const w = world();
    const uuid = randomUUID();
    await w.store.record(success(uuid, 9));
    const [userId, result] = await w.redis.hmget(w.stock.keys.outcome(uuid), 'userId', 'result');
    assert.equal(userId, '9');
    assert.equal((JSON.parse(result ?? '{}') as { orderNo?: string }).orderNo, '20261201000000000001');
  });

  it('announces nothing when the store fails (the consumer retries the event once Redis answers)', async () => {
    const w = world();
    const uuid = randomUUID();
    await w.holdElsewhere(uuid);
    const fault = new Error('Connection is closed.');
    w.redis.failNext(fault);
    await assert.rejects(w.store.record(success(uuid)), fault);
    await announced();
    assert.deepEqual(w.heard, []);
    assert.equal(await w.store.read(uuid), null);
  });

  it('restores an outcome from PostgreSQL\'s copy without announcing it', async () => {
    const w = world();
    const uuid = randomUUID();
    await w.holdElsewhere(uuid);
    const frames = [
      { type: 'order.result' as const, uuid, status: 'SUCCESS' as const, orderNo: '20261201000000000001' },
      { type: 'order.status' as const, uuid, orderNo: '20261201000000000001', status: 'TIMEOUT' as const },
    ];
    await w.store.restore(uuid, { userId: 7, frames });
    await announced();
    assert.deepEqual(await w.store.read(uuid), { userId: 7, frames });
    assert.equal(w.server.ttls.get(w.store.key(uuid)), PAYMENT_WINDOW_SECONDS + 3600);
    assert.deepEqual(w.heard, []);
  });

  it('knows a uuid\'s owner from the stored outcome, else from order-api\'s reservation, else not at all', async () => {
    const w = world();
    const decided = randomUUID();
    const reserved = randomUUID();
    await w.store.record(success(decided, 7));
    await w.stock.load(1, 1, []);
    await w.stock.reserve(1, 8, reserved);
    assert.equal(await w.store.owner(decided), 7);
    assert.equal(await w.store.owner(reserved), 8);
    assert.equal(await w.store.owner(randomUUID()), null);
    assert.equal(await w.store.read(randomUUID()), null);
  });
});
