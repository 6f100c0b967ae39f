import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import { TokenService } from '@seckill/auth';
import { loadConfig } from '@seckill/config';
import { MESSAGE_VERSION, SocketCloseCode, type OrderResultMessage, type OrderStatusMessage } from '@seckill/contracts';
import type { OrderRequestRepository } from '@seckill/persistence';
import type { StockService } from '@seckill/stock';
import { asReal, FakeOrderRequests, FakeRedis, FakeRedisServer, FakeStock, FakeWebSocket, recordingLogger } from '@seckill/testing';
import { DurableOutcomes } from '../outcomes/durable-outcomes';
import { OutcomeStore } from '../outcomes/outcome-store';
import { OrderSocketGateway } from './order-socket.gateway';
import { SocketRegistry } from './socket-registry';
import type { RoomSockets } from '../room/room-sockets';
import { UserSocketSlots } from './user-socket-slots';

const PING_MS = 1000;
/** The safety net's pass, and how long a socket waits before PostgreSQL is asked (order-socket.gateway.ts). */
const RECHECK_EVERY_MS = 5000;
const ORDER_NO = '20261201000000000001';

/**
 * The gateway with its real store, durable outcomes and token service, over one fake Redis server (a command
 * connection and the subscriber) and fake PostgreSQL outcomes. Its timers and clock are node:test's: the
 * heartbeat, the safety net and the resync's retry run exactly when the test ticks past them.
 */
/** Room sockets (/room/{id}) are tested against the real processes (e2e/src/waiting-room.e2e.spec.ts); none here. */
const noRooms = {
  admit: async () => {
    throw new Error('no room sockets in this suite');
  },
} as unknown as RoomSockets;

function world(t: TestContext, env: Record<string, string> = {}, shared?: { server: FakeRedisServer; stock: FakeStock }) {
  // A second instance (sharing Redis) runs on the first one's clock.
  if (!shared) t.mock.timers.enable({ apis: ['setInterval', 'setTimeout', 'Date'], now: Date.now() });
  // The heartbeat would drop the silent fake sockets of the other tests: it beats once an hour unless asked.
  const config = loadConfig({ NOTIFIER_PING_INTERVAL_MS: '3600000', ...env });
  const server = shared?.server ?? new FakeRedisServer();
  const redis = new FakeRedis(server);
  const subscriber = new FakeRedis(server);
  const stock = shared?.stock ?? new FakeStock();
  const requests = new FakeOrderRequests();
  const asked: string[][] = [];
  const outcomesWithOrderStatus = requests.outcomesWithOrderStatus.bind(requests);
  requests.outcomesWithOrderStatus = (uuids: readonly string[]) => {
    asked.push([...uuids]);
    return outcomesWithOrderStatus(uuids);
  };
  const tokens = new TokenService(config.JWT_SECRET, config.JWT_EXPIRES_IN_SECONDS);
  const registry = new SocketRegistry(redis.asRedis(), config);
  const store = new OutcomeStore(redis.asRedis(), asReal<StockService>(stock), registry, config);
  const { logger, lines } = recordingLogger();
  const slots = new UserSocketSlots(redis.asRedis(), config);
  const gateway = new OrderSocketGateway(tokens, store, new DurableOutcomes(asReal<OrderRequestRepository>(requests)), subscriber.asRedis(), config, logger, slots, registry, noRooms);
  gateway.onModuleInit();

  const tokenOf = (userId: number) => tokens.issue({ id: userId, username: `shopper${userId}`, role: 'shopper' }).accessToken;
  /** A browser opening ws://notifier/{uuid}?token=… (path and token may be overridden to be wrong). */
  async function connect(uuid: string, userId: number, over: { path?: string; token?: string } = {}): Promise<FakeWebSocket> {
    const ws = new FakeWebSocket();
    const req = new IncomingMessage(new Socket());
    req.url = `${over.path ?? `/${uuid}`}?token=${encodeURIComponent(over.token ?? tokenOf(userId))}`;
    await gateway.handleConnection(ws.asWebSocket(), req);
    return ws;
  }
  /** Everything here answers in microtasks (fake Redis, fake PostgreSQL, socket closes): drained by the next macrotask. */
  const settled = () => new Promise<void>((resolve) => setImmediate(resolve));
  const tick = async (ms: number) => {
    t.mock.timers.tick(ms);
    await settled();
  };
  /** PostgreSQL's record of a success (and of the order's later status), as the worker committed it. */
  const decidedInPostgres = (uuid: string, userId: number, orderStatus?: 'PAID') => {
    requests.recorded.set(uuid, { uuid, userId, seckillGoodId: 1, status: 'SUCCESS', orderNo: ORDER_NO });
    if (orderStatus) requests.orderStatus.set(uuid, orderStatus);
  };
  /** The sockets Redis counts for a user, across every instance sharing this server. */
  const slotsOf = (userId: number) => server.zsets.get(slots.key(userId))?.size ?? 0;
  /** The uuids this instance holds according to the registry in Redis. */
  const registered = () =>
    [...server.zsets]
      .filter(([key, members]) => key.startsWith(registry.key('')) && members.has(registry.instanceId))
      .map(([key]) => key.slice(registry.key('').length))
      .sort();
  return { server, redis, subscriber, stock, requests, asked, store, slots, registry, registered, gateway, lines, connect, tokenOf, settled, tick, decidedInPostgres, slotsOf, config };
}

const success = (uuid: string, userId: number): OrderResultMessage => ({
  version: MESSAGE_VERSION,
  type: 'order.result',
  uuid,
  userId,
  seckillGoodId: 1,
  status: 'SUCCESS',
  orderNo: ORDER_NO,
  decidedAt: new Date().toISOString(),
});

const paid = (uuid: string, userId: number): OrderStatusMessage => ({
  version: MESSAGE_VERSION,
  type: 'order.status',
  uuid,
  userId,
  seckillGoodId: 1,
  orderNo: ORDER_NO,
  status: 'PAID',
  at: new Date().toISOString(),
});

const resultFrame = (uuid: string) => ({ type: 'order.result', uuid, status: 'SUCCESS', orderNo: ORDER_NO });
const paidFrame = (uuid: string) => ({ type: 'order.status', uuid, orderNo: ORDER_NO, status: 'PAID' });

describe('OrderSocketGateway: who may wait on a uuid', () => {
  it('closes a path that is not /{uuid} with 4400 and a missing or invalid token with 4401', async (t) => {
    const w = world(t);
    const uuid = randomUUID();
    assert.equal((await w.connect(uuid, 7, { path: '/orders' })).closeCode, SocketCloseCode.BAD_PATH);
    assert.equal((await w.connect(uuid, 7, { token: '' })).closeCode, SocketCloseCode.UNAUTHORIZED);
    const forged = new TokenService('another-secret-of-some-length', 60).issue({ id: 7, username: 'x', role: 'shopper' }).accessToken;
    assert.equal((await w.connect(uuid, 7, { token: forged })).closeCode, SocketCloseCode.UNAUTHORIZED);
    assert.equal(w.gateway.connections, 0);
    assert.deepEqual(w.registered(), []);
  });

  it('closes with 4403 a socket on another user\'s uuid, known by its stored outcome or by order-api\'s reservation', async (t) => {
    const w = world(t);
    const decided = randomUUID();
    const reserved = randomUUID();
    await w.store.record(success(decided, 8));
    await w.stock.load(1, 1, []);
    await w.stock.reserve(1, 8, reserved);
    for (const uuid of [decided, reserved]) {
      const ws = await w.connect(uuid, 7);
      assert.equal(ws.closeCode, SocketCloseCode.FORBIDDEN);
      assert.deepEqual(ws.sent, []);
    }
    assert.equal(w.gateway.connections, 0);
    assert.equal((await w.connect(reserved, 8)).closeCode, undefined, 'its owner may wait on it');
  });

  it('closes with 4403, sending nothing, a socket whose uuid was unknown when it connected and turns out to be someone else\'s', async (t) => {
    const w = world(t);
    const uuid = randomUUID();
    const ws = await w.connect(uuid, 7);
    assert.equal(ws.closeCode, undefined);
    await w.store.record(success(uuid, 8));
    await w.settled();
    assert.equal(ws.closeCode, SocketCloseCode.FORBIDDEN);
    assert.deepEqual(ws.sent, []);
  });
});

describe('OrderSocketGateway: pushing outcomes', () => {
  it('sends a late socket the stored outcome at once, the result before a later status', async (t) => {
    const w = world(t);
    const uuid = randomUUID();
    await w.store.record(success(uuid, 7));
    await w.store.record(paid(uuid, 7));
    const ws = await w.connect(uuid, 7);
    assert.deepEqual(ws.frames(), [resultFrame(uuid), paidFrame(uuid)]);
  });

  it('pushes an announcement to every socket of its uuid (tabs) and to no other, over one channel for the instance', async (t) => {
    const w = world(t);
    const uuid = randomUUID();
    const other = randomUUID();
    const tab1 = await w.connect(uuid, 7);
    const tab2 = await w.connect(uuid, 7);
    const elsewhere = await w.connect(other, 7);
    assert.deepEqual(w.registered(), [uuid, other].sort());
    assert.deepEqual([...w.subscriber.channels], [w.registry.channel()]);
    assert.equal(w.gateway.connections, 3);

    await w.store.record(success(uuid, 7));
    await w.settled();
    assert.deepEqual(tab1.frames(), [resultFrame(uuid)]);
    assert.deepEqual(tab2.frames(), [resultFrame(uuid)]);
    assert.deepEqual(elsewhere.frames(), []);
    await w.store.record(paid(uuid, 7));
    await w.settled();
    assert.deepEqual(tab2.frames(), [resultFrame(uuid), paidFrame(uuid)]);

    tab1.peerClose();
    await w.settled();
    assert.deepEqual(w.registered(), [uuid, other].sort(), 'another tab still waits');
    tab2.peerClose();
    await w.settled();
    assert.deepEqual(w.registered(), [other], 'the last socket gone: the registry entry removed');
    assert.equal(w.gateway.connections, 1);
  });

  it('sends nothing twice: an outcome stored between the registration and the read, and a replayed event', async (t) => {
    const w = world(t);
    const uuid = randomUUID();
    // The outcome is stored and announced after the socket registered but before it reads the store: both paths
    // deliver it.
    const hgetall = w.redis.hgetall.bind(w.redis);
    w.redis.hgetall = async (key: string) => {
      w.redis.hgetall = hgetall;
      await w.store.record(success(uuid, 7));
      return hgetall(key);
    };
    const ws = await w.connect(uuid, 7);
    await w.settled();
    assert.deepEqual(ws.frames(), [resultFrame(uuid)]);
    await w.store.record(success(uuid, 7));
    await w.store.record(paid(uuid, 7));
    await w.store.record(paid(uuid, 7));
    await w.settled();
    assert.deepEqual(ws.frames(), [resultFrame(uuid), paidFrame(uuid)]);
  });

  it('ignores a malformed announcement and keeps the socket', async (t) => {
    const w = world(t);
    const uuid = randomUUID();
    const ws = await w.connect(uuid, 7);
    await w.redis.publish(w.registry.channel(), 'not json');
    await w.redis.publish(w.registry.channel(), JSON.stringify({ userId: 7 }));
    await w.settled();
    assert.deepEqual([ws.sent, ws.closeCode], [[], undefined]);
    assert.equal(w.lines.filter((l) => l.msg === 'ignored a malformed announcement').length, 2);
  });
});

describe('OrderSocketGateway: faults', () => {
  it('closes with 1011 (reconnect) when Redis fails during the setup, never throws, and leaves nothing behind', async (t) => {
    const w = world(t);
    w.redis.failNext(new Error('Connection is closed.'));
    const ownerFailed = await w.connect(randomUUID(), 7);
    assert.equal(ownerFailed.closeCode, SocketCloseCode.SERVER_ERROR);

    const register = w.registry.register.bind(w.registry);
    w.registry.register = async () => {
      w.registry.register = register;
      throw new Error('Connection is closed.');
    };
    const registerFailed = await w.connect(randomUUID(), 7);
    assert.equal(registerFailed.closeCode, SocketCloseCode.SERVER_ERROR);
    await w.settled();
    assert.deepEqual([w.gateway.connections, w.gateway.heldSockets, w.slotsOf(7)], [0, 0, 0]);
    assert.deepEqual(w.registered(), []);
    assert.equal(w.lines.filter((l) => l.msg === 'socket could not be set up; closed with 1011').length, 2);
  });

  it('re-reads the stored outcomes of every waiting uuid when the subscriber is back (announcements made meanwhile are lost)', async (t) => {
    const w = world(t);
    const uuid = randomUUID();
    const ws = await w.connect(uuid, 7);
    w.subscriber.drop();
    assert.deepEqual(w.gateway.subscriberState(), { ready: false, detail: 'Redis subscriber reconnecting' });
    await w.store.record(success(uuid, 7));
    await w.settled();
    assert.deepEqual(ws.frames(), [], 'the announcement went nowhere');
    w.subscriber.reconnect();
    await w.settled();
    assert.deepEqual(ws.frames(), [resultFrame(uuid)]);
    assert.deepEqual(w.gateway.subscriberState(), { ready: true });
  });

  it('after the subscriber is back, finds in PostgreSQL what Redis lost (restarted empty) and puts it back', async (t) => {
    const w = world(t);
    const uuid = randomUUID();
    const ws = await w.connect(uuid, 7);
    w.subscriber.drop();
    await w.store.record(success(uuid, 7));
    w.server.flushAll();
    w.decidedInPostgres(uuid, 7);
    w.subscriber.reconnect();
    await w.settled();
    assert.deepEqual(ws.frames(), [resultFrame(uuid)]);
    assert.deepEqual((await w.store.read(uuid))?.frames, [resultFrame(uuid)], 'back in Redis for sockets elsewhere');
  });

  it('retries the re-read after a reconnect until the command connection answers', async (t) => {
    const w = world(t);
    const uuid = randomUUID();
    const ws = await w.connect(uuid, 7);
    w.subscriber.drop();
    await w.store.record(success(uuid, 7));
    w.redis.failNext(new Error('Connection is closed.'));
    w.subscriber.reconnect();
    await w.settled();
    assert.deepEqual(ws.frames(), []);
    assert.equal(w.lines.some((l) => /could not re-read stored outcomes/.test(l.msg ?? '')), true);
    await w.tick(200);
    assert.deepEqual(ws.frames(), [resultFrame(uuid)]);
  });
});

describe('OrderSocketGateway: the PostgreSQL safety net', () => {
  it('asks PostgreSQL, in one query, for sockets still without a result after 10 s, pushes what it finds and puts it back into Redis', async (t) => {
    const w = world(t);
    const lost = randomUUID();
    const undecided = randomUUID();
    const served = randomUUID();
    await w.store.record(success(served, 7));
    const servedWs = await w.connect(served, 7);
    const lostWs = await w.connect(lost, 7);
    await w.connect(undecided, 7);
    // Redis lost the outcome and its announcement together; PostgreSQL has it, and the order was paid since.
    w.decidedInPostgres(lost, 7, 'PAID');
    await w.tick(RECHECK_EVERY_MS);
    assert.deepEqual(w.asked, [], 'not before 10 s of waiting');
    await w.tick(RECHECK_EVERY_MS);
    assert.deepEqual(w.asked.map((uuids) => [...uuids].sort()), [[lost, undecided].sort()]);
    assert.deepEqual(lostWs.frames(), [resultFrame(lost), paidFrame(lost)]);
    assert.deepEqual((await w.store.read(lost))?.frames, [resultFrame(lost), paidFrame(lost)]);
    assert.deepEqual(servedWs.frames(), [resultFrame(served)]);
    await w.tick(RECHECK_EVERY_MS);
    assert.equal(w.asked.length, 1, 'a socket asked about waits 30 s before the next question');
  });

  it('tries again 30 s later when PostgreSQL is away', async (t) => {
    const w = world(t);
    const uuid = randomUUID();
    const ws = await w.connect(uuid, 7);
    w.decidedInPostgres(uuid, 7);
    w.requests.failNext(new Error('Connection terminated unexpectedly'));
    await w.tick(RECHECK_EVERY_MS);
    await w.tick(RECHECK_EVERY_MS);
    assert.equal(w.asked.length, 1);
    assert.deepEqual(ws.frames(), []);
    for (let i = 0; i < 5; i++) await w.tick(RECHECK_EVERY_MS);
    assert.equal(w.asked.length, 1, 'not again before 30 s');
    await w.tick(RECHECK_EVERY_MS);
    assert.equal(w.asked.length, 2);
    assert.deepEqual(ws.frames(), [resultFrame(uuid)]);
  });
});

describe('OrderSocketGateway: heartbeat and shutdown', () => {
  it('pings every socket each interval and drops one that missed two pongs, keeping the one that answers', async (t) => {
    const w = world(t, { NOTIFIER_PING_INTERVAL_MS: String(PING_MS) });
    const alive = await w.connect(randomUUID(), 7);
    const silent = await w.connect(randomUUID(), 8);
    for (let beat = 1; beat <= 2; beat++) {
      await w.tick(PING_MS);
      alive.pong();
    }
    assert.deepEqual([alive.pings, silent.pings, silent.terminated], [2, 2, false], 'two missed pongs are tolerated');
    await w.tick(PING_MS);
    assert.equal(silent.terminated, true);
    assert.deepEqual([alive.pings, alive.terminated], [3, false]);
    assert.equal(w.gateway.connections, 1);
  });

  it('closes every socket with 1001 before the application stops', async (t) => {
    const w = world(t);
    const sockets = [await w.connect(randomUUID(), 7), await w.connect(randomUUID(), 8)];
    await w.gateway.beforeApplicationShutdown();
    assert.deepEqual(sockets.map((s) => s.closeCode), [1001, 1001]);
    assert.equal(w.gateway.connections, 0);
  });
});

describe('OrderSocketGateway: the guard', () => {
  it('checks the path and the token before anything exists for the socket: no Redis command, no slot, no registry entry', async (t) => {
    const w = world(t);
    const commands: string[] = [];
    for (const name of ['hgetall', 'hget', 'hmget', 'multi', 'zrem', 'zcard'] as const) {
      const real = (w.redis[name] as (...a: unknown[]) => unknown).bind(w.redis);
      (w.redis as unknown as Record<string, unknown>)[name] = (...a: unknown[]) => (commands.push(name), real(...a));
    }
    const uuid = randomUUID();
    const forged = new TokenService('another-secret-of-some-length', 60).issue({ id: 7, username: 'x', role: 'shopper' }).accessToken;
    const refused = [await w.connect(uuid, 7, { token: '' }), await w.connect(uuid, 7, { token: forged }), await w.connect(uuid, 7, { path: '/x' })];
    await w.settled();
    assert.deepEqual(refused.map((ws) => ws.closeCode), [SocketCloseCode.UNAUTHORIZED, SocketCloseCode.UNAUTHORIZED, SocketCloseCode.BAD_PATH]);
    assert.deepEqual(commands, []);
    assert.deepEqual([w.gateway.heldSockets, w.gateway.connections, w.server.zsets.size], [0, 0, 0]);
    for (const ws of refused) assert.equal(ws.listenerCount('close'), 0, 'no handler was ever attached');
    // The same screen, as the adapter runs it during the upgrade, before there is a socket at all.
    const req = new IncomingMessage(new Socket());
    req.url = `/${uuid}?token=${forged}`;
    assert.deepEqual(w.gateway.screen(req), { refuse: SocketCloseCode.UNAUTHORIZED, reason: 'invalid or missing token' });
    req.url = `/${uuid}?token=${w.tokenOf(7)}`;
    assert.deepEqual(w.gateway.screen(req), { uuid, userId: 7 });
  });

  it('lets a user hold at most NOTIFIER_SOCKETS_PER_USER sockets across instances (4429 beyond), counted in Redis until they close', async (t) => {
    const a = world(t, { NOTIFIER_SOCKETS_PER_USER: '3' });
    const b = world(t, { NOTIFIER_SOCKETS_PER_USER: '3' }, a);
    const held = [await a.connect(randomUUID(), 7), await a.connect(randomUUID(), 7), await b.connect(randomUUID(), 7)];
    assert.deepEqual(held.map((ws) => ws.closeCode), [undefined, undefined, undefined]);
    assert.equal(a.slotsOf(7), 3);
    const over = await b.connect(randomUUID(), 7);
    assert.equal(over.closeCode, SocketCloseCode.TOO_MANY_SOCKETS);
    await a.settled();
    assert.deepEqual([a.slotsOf(7), b.gateway.connections, b.gateway.heldSockets, b.registered().length], [3, 1, 1, 1], 'the refused socket left nothing');
    assert.equal((await b.connect(randomUUID(), 8)).closeCode, undefined, 'another user is not affected');

    held[0]!.peerClose();
    await a.settled();
    assert.equal(a.slotsOf(7), 2);
    assert.equal((await b.connect(randomUUID(), 7)).closeCode, undefined, 'a closed socket frees its slot on every instance');
  });

  it('never lets concurrent sockets of one user past the limit', async (t) => {
    const a = world(t, { NOTIFIER_SOCKETS_PER_USER: '3' });
    const b = world(t, { NOTIFIER_SOCKETS_PER_USER: '3' }, a);
    const sockets = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).connect(randomUUID(), 7)));
    await a.settled();
    // The first three claims Redis orders see counts 1, 2, 3 whatever comes after them.
    assert.equal(sockets.filter((ws) => ws.closeCode === undefined).length, 3);
    assert.equal(sockets.filter((ws) => ws.closeCode === SocketCloseCode.TOO_MANY_SOCKETS).length, 5);
    assert.equal(a.slotsOf(7), 3);
  });

  it('forgets the slots of a crashed instance within three ping intervals, while the heartbeat keeps live ones', async (t) => {
    const w = world(t, { NOTIFIER_SOCKETS_PER_USER: '3', NOTIFIER_PING_INTERVAL_MS: String(PING_MS) });
    // What an instance that crashed left behind: two claimed slots, never renewed, never released.
    for (const id of ['crashed:1', 'crashed:2']) assert.equal(await w.slots.claim({ userId: 7, id }), true);
    const live = await w.connect(randomUUID(), 7);
    assert.equal((await w.connect(randomUUID(), 7)).closeCode, SocketCloseCode.TOO_MANY_SOCKETS);
    for (let beat = 0; beat < 3; beat++) {
      await w.tick(PING_MS);
      live.pong();
    }
    await w.tick(1);
    assert.equal(live.closeCode, undefined);
    const next = [await w.connect(randomUUID(), 7), await w.connect(randomUUID(), 7)];
    assert.deepEqual(next.map((ws) => ws.closeCode), [undefined, undefined], 'the crashed slots lapsed');
    assert.equal(w.slotsOf(7), 3, 'the live socket still counts');
    assert.equal(w.server.ttls.get(w.slots.key(7)), 3 * PING_MS / 1000, 'the whole set expires if nobody renews it');
  });

  it('RATE_LIMITS=off lifts the per-user limit (nothing is counted)', async (t) => {
    const w = world(t, { NOTIFIER_SOCKETS_PER_USER: '2', RATE_LIMITS: 'off' });
    const sockets = await Promise.all(Array.from({ length: 5 }, () => w.connect(randomUUID(), 7)));
    assert.deepEqual(sockets.map((ws) => ws.closeCode), [undefined, undefined, undefined, undefined, undefined]);
    assert.equal(w.slotsOf(7), 0);
  });

  it('closes with 1013 sockets beyond NOTIFIER_MAX_SOCKETS on this instance, counting those still being set up', async (t) => {
    const w = world(t, { NOTIFIER_MAX_SOCKETS: '2', RATE_LIMITS: 'off' });
    const first = await Promise.all([1, 2, 3].map((user) => w.connect(randomUUID(), user)));
    assert.deepEqual(first.map((ws) => ws.closeCode), [undefined, undefined, SocketCloseCode.TRY_AGAIN_LATER]);
    const req = new IncomingMessage(new Socket());
    req.url = `/${randomUUID()}?token=${w.tokenOf(4)}`;
    assert.equal((w.gateway.screen(req) as { refuse: number }).refuse, SocketCloseCode.TRY_AGAIN_LATER, 'refused during the upgrade too');
    first[0]!.peerClose();
    await w.settled();
    assert.equal((await w.connect(randomUUID(), 4)).closeCode, undefined, 'room again once one closed');
  });

  it('closes with 4408 a socket whose uuid is still nobody\'s after NOTIFIER_UNOWNED_WAIT_MS, and only that one', async (t) => {
    const w = world(t, { NOTIFIER_UNOWNED_WAIT_MS: '1000' });
    await w.stock.load(1, 10, []);
    const [nobodys, reservedLater, decidedLater, othersLater] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const sockets = await Promise.all([nobodys, reservedLater, decidedLater, othersLater].map((u) => w.connect(u, 7)));
    await w.tick(500);
    await w.stock.reserve(1, 7, reservedLater); // ordered, no result yet: the owner is known from the reservation
    await w.store.record(success(decidedLater, 7));
    await w.stock.reserve(1, 8, othersLater); // shopper 8 posted an order with the requestId shopper 7 waits on
    await w.tick(499);
    assert.deepEqual(sockets.map((ws) => ws.closeCode), [undefined, undefined, undefined, undefined]);
    await w.tick(1);
    assert.deepEqual(sockets.map((ws) => ws.closeCode), [SocketCloseCode.UNOWNED_TIMEOUT, undefined, undefined, SocketCloseCode.FORBIDDEN]);
    assert.deepEqual(sockets[3]!.sent, []);
    await w.tick(60_000);
    assert.equal(sockets[1]!.closeCode, undefined, 'an owned uuid waits as long as it takes');
    await w.settled();
    assert.equal(w.gateway.connections, 2);
    assert.equal(w.slotsOf(7), 2);
  });

  it('never sends shopper A\'s outcome to shopper B waiting on A\'s requestId before A ordered: B is closed with 4403', async (t) => {
    const w = world(t);
    await w.stock.load(1, 10, []);
    const requestId = randomUUID();
    const b = await w.connect(requestId, 8);
    assert.equal(b.closeCode, undefined, 'unknown yet: it waits');
    await w.stock.reserve(1, 7, requestId);
    await w.store.record(success(requestId, 7));
    await w.store.record(paid(requestId, 7));
    await w.settled();
    assert.equal(b.closeCode, SocketCloseCode.FORBIDDEN);
    assert.deepEqual(b.sent, []);
    assert.equal((await w.connect(requestId, 8)).closeCode, SocketCloseCode.FORBIDDEN, 'and refused at once when it tries again');
    assert.deepEqual((await w.connect(requestId, 7)).frames(), [resultFrame(requestId), paidFrame(requestId)]);
  });
});

describe('OrderSocketGateway: the registry (which instance holds a uuid)', () => {
  it('routes a result to the instance holding the socket, whichever instance stores it, and a late socket elsewhere reads it at once', async (t) => {
    const a = world(t);
    const b = world(t, {}, a);
    const uuid = randomUUID();
    const onB = await b.connect(uuid, 7);
    assert.deepEqual([a.registered(), b.registered()], [[], [uuid]]);
    // Instance a's consumer took the event: it stores, reads the registry, and publishes to b's channel only.
    const published: string[] = [];
    const publish = a.redis.publish.bind(a.redis);
    a.redis.publish = async (channel: string, message: string) => (published.push(channel), publish(channel, message));
    await a.store.record(success(uuid, 7));
    await a.settled();
    assert.deepEqual(onB.frames(), [resultFrame(uuid)]);
    assert.deepEqual(published, [b.registry.channel()]);
    const lateOnA = await a.connect(uuid, 7);
    assert.deepEqual(lateOnA.frames(), [resultFrame(uuid)]);
    await a.store.record(paid(uuid, 7));
    await a.settled();
    assert.deepEqual([onB.frames(), lateOnA.frames()], [[resultFrame(uuid), paidFrame(uuid)], [resultFrame(uuid), paidFrame(uuid)]], 'both instances hold it now');
  });

  it('loses nothing when the holding instance is gone: its lapsed entry costs a publish nobody hears, and the page reconnecting elsewhere reads the store', async (t) => {
    const a = world(t);
    const b = world(t, {}, a);
    const uuid = randomUUID();
    const onB = await b.connect(uuid, 7);
    // b crashes: its socket dies with it, its registry entry stays until its lease runs out.
    b.subscriber.drop();
    onB.peerClose();
    b.server.zsets.set(b.registry.key(uuid), new Map([[b.registry.instanceId, Date.now() + 1000]]));
    await a.store.record(success(uuid, 7));
    const again = await a.connect(uuid, 7);
    assert.deepEqual(again.frames(), [resultFrame(uuid)]);
  });

  it('re-reads the store of a uuid whose registry entry was gone (Redis lost it) at the next heartbeat, and registers it again', async (t) => {
    const w = world(t, { NOTIFIER_PING_INTERVAL_MS: String(PING_MS) });
    const uuid = randomUUID();
    const ws = await w.connect(uuid, 7);
    w.server.zsets.delete(w.registry.key(uuid));
    await w.store.record(success(uuid, 7));
    await w.settled();
    assert.deepEqual(ws.frames(), [], 'announced to nobody: the entry was gone');
    await w.tick(PING_MS);
    assert.deepEqual(ws.frames(), [resultFrame(uuid)]);
    assert.deepEqual(w.registered(), [uuid]);
    assert.equal(w.lines.some((l) => /registry entries were gone/.test(l.msg ?? '')), true);
    ws.pong();
    await w.tick(PING_MS);
    assert.deepEqual(ws.frames(), [resultFrame(uuid)], 'a renewed entry re-reads nothing');
  });

  it('keeps the entries of waiting uuids alive with the heartbeat, and lets them lapse within three intervals once nobody renews them', async (t) => {
    const w = world(t, { NOTIFIER_PING_INTERVAL_MS: String(PING_MS) });
    const uuid = randomUUID();
    const ws = await w.connect(uuid, 7);
    for (let beat = 0; beat < 5; beat++) {
      await w.tick(PING_MS);
      ws.pong();
    }
    assert.deepEqual(await w.registry.holders(uuid), [w.registry.instanceId], 'renewed past its first lease');
    assert.equal(w.server.ttls.get(w.registry.key(uuid)), (3 * PING_MS) / 1000);
    await w.gateway.beforeApplicationShutdown();
    await w.settled();
    assert.deepEqual(await w.registry.holders(uuid), [], 'a closed socket removes its entry');
  });
});
