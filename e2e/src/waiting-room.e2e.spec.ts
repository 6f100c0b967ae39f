import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import Redis from 'ioredis';
import type { ErrorBody, OrderAccepted, RoomTicket, WaitingRoom } from '@seckill/contracts';
import { RoomKeys } from '@seckill/waiting-room';
import { mintToken, request, seedSale, seedShoppers, SocketClient, startProduct, TEST_JWT_SECRET, type AppProcess, type Product, type TestEnv } from '@seckill/testing';

/**
 * The waiting room against the real processes: two order-api instances (each runs an admitter; the lease in Redis
 * decides which one admits), the worker and the notifier, on real PostgreSQL, Redis and RabbitMQ. Admission times
 * are read from the tokens' expiry (admission time + ROOM_ADMISSION_TTL_SECONDS, on Redis's clock), so the rate is
 * checked on what Redis did, not on when a test happened to look.
 */
const TTL_SECONDS = 60;
const LEASE_MS = 1000;
const TICK_MS = 100;

let product: Product;
let env: TestEnv;
let redis: Redis;
let keys: RoomKeys;
let admin: string;
let shopperSeq = 0;

before(async () => {
  product = await startProduct('e2e-room', {
    instances: { 'order-api': 2 },
    vars: {
      ROOM_TICK_MS: String(TICK_MS),
      ROOM_LEASE_MS: String(LEASE_MS),
      ROOM_ADMISSION_TTL_SECONDS: String(TTL_SECONDS),
      ROOM_PUSH_INTERVAL_MS: '300',
      ROOM_SYNC_INTERVAL_MS: '300',
    },
  });
  env = product.env;
  redis = new Redis(env.redisUrl);
  keys = new RoomKeys(env.redisKeyPrefix);
  admin = mintToken(TEST_JWT_SECRET, { id: 1, username: 'admin', role: 'admin' });
});

after(async () => {
  redis?.disconnect();
  await product?.stop();
});

interface Shopper {
  id: number;
  token: string;
}

async function shoppers(n: number): Promise<Shopper[]> {
  const users = await seedShoppers(env.databaseUrl, n, `room${++shopperSeq}`);
  return users.map((u) => ({ id: u.id, token: mintToken(TEST_JWT_SECRET, u) }));
}

const apiOf = (i: number): string => product.instances('order-api')[i % product.instances('order-api').length]!.url;

function join(s: Shopper, item: number, api = 0) {
  return request<RoomTicket & ErrorBody>(apiOf(api), 'POST', `/api/seckill/goods/${item}/room`, { token: s.token });
}

function ticket(s: Shopper, item: number, api = 0) {
  return request<RoomTicket & ErrorBody>(apiOf(api), 'GET', `/api/seckill/goods/${item}/room`, { token: s.token });
}

function order(s: Shopper, item: number, admissionToken?: string, requestId: string = randomUUID(), api = 0) {
  return request<OrderAccepted & ErrorBody>(apiOf(api), 'POST', '/api/seckill/orders', {
    token: s.token,
    json: { seckillGoodId: item, requestId, ...(admissionToken !== undefined && { admissionToken }) },
  });
}

function roomSocket(s: Shopper, item: number): SocketClient {
  return new SocketClient(`${product.notifier.url.replace(/^http/, 'ws')}/room/${item}?token=${encodeURIComponent(s.token)}`);
}

/** When Redis admitted this ticket (ms): its expiry minus the token's lifetime. */
const admittedAt = (t: RoomTicket): number => Date.parse(t.expiresAt ?? '') - TTL_SECONDS * 1000;

/** Waits (on the room socket) until the shopper is admitted, and returns the ticket as the API then shows it. */
async function admitted(s: Shopper, item: number, timeoutMs = 30_000): Promise<RoomTicket> {
  const socket = roomSocket(s, item);
  try {
    await socket.frame((f) => f.type === 'room.admitted' || f.type === 'room.closed', timeoutMs);
  } finally {
    socket.close();
  }
  const t = await ticket(s, item);
  assert.equal(t.body.status, 'ADMITTED', JSON.stringify(t.body));
  return t.body;
}

/** The most admissions within any window of `windowMs` (admission times sorted). */
function busiestWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= windowMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

/** Kendall's tau between two rankings of the same items: 1 identical, -1 reversed, ~0 unrelated. */
function kendallTau(a: number[], b: number[]): number {
  let concordant = 0;
  let discordant = 0;
  for (let i = 0; i < a.length; i++) {
    for (let j = i + 1; j < a.length; j++) {
      const s = Math.sign(a[i]! - a[j]!) * Math.sign(b[i]! - b[j]!);
      if (s > 0) concordant++;
      else if (s < 0) discordant++;
    }
  }
  return (concordant - discordant) / ((a.length * (a.length - 1)) / 2);
}

describe('waiting room', () => {
  it('is set by an admin on creation and live, validated, and answers OPEN on items without one', async () => {
    const plain = await seedSale(env.databaseUrl, { name: 'no room', stock: 5 });
    const [s] = await shoppers(1);
    assert.deepEqual((await join(s!, plain)).body, { seckillGoodId: plain, status: 'OPEN' });
    assert.equal((await order(s!, plain)).status, 202, 'no room: ordering needs no token');

    const created = await request<{ id: number; waitingRoom?: unknown }>(apiOf(0), 'POST', '/api/admin/seckill/goods', {
      token: admin,
      json: {
        name: 'created with a room',
        price: '10.00',
        seckillPrice: '1.00',
        stock: 5,
        startTime: new Date(Date.now() + 3_600_000).toISOString(),
        endTime: new Date(Date.now() + 7_200_000).toISOString(),
        waitingRoom: { admitPerSecond: 40, preQueueSeconds: 600 },
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal((created.body.waitingRoom as { admitPerSecond: number }).admitPerSecond, 40);
    const read = await request<WaitingRoom>(apiOf(1), 'GET', `/api/admin/seckill/goods/${created.body.id}/waiting-room`, { token: admin });
    assert.deepEqual(read.body, { seckillGoodId: created.body.id, enabled: true, admitPerSecond: 40, preQueueSeconds: 600, waiting: 0, admitted: 0 });
    // Before the pre-queue window (it opens 10 minutes before a start an hour away).
    const early = await join(s!, created.body.id);
    assert.equal(early.status, 403);
    assert.equal(early.body.code, 'SALE_NOT_STARTED');

    const put = (id: number, body: unknown) => request<WaitingRoom & ErrorBody>(apiOf(0), 'PUT', `/api/admin/seckill/goods/${id}/waiting-room`, { token: admin, json: body });
    for (const bad of [{ enabled: true, admitPerSecond: 0, preQueueSeconds: 0 }, { enabled: 'yes', admitPerSecond: 5, preQueueSeconds: 0 }, { enabled: true, admitPerSecond: 5 }, { enabled: true, admitPerSecond: 5, preQueueSeconds: 0, extra: 1 }]) {
      const r = await put(plain, bad);
      assert.equal(r.status, 400, JSON.stringify(bad));
      assert.equal(r.body.code, 'VALIDATION_FAILED');
    }
    assert.equal((await put(999_999, { enabled: true, admitPerSecond: 5, preQueueSeconds: 0 })).body.code, 'GOOD_NOT_FOUND');
    assert.equal((await request(apiOf(0), 'PUT', `/api/admin/seckill/goods/${plain}/waiting-room`, { token: s!.token, json: { enabled: true, admitPerSecond: 5, preQueueSeconds: 0 } })).status, 403);

    // Switched on mid-sale: at once, on both instances, an order needs a token.
    const [t] = await shoppers(1);
    const on = await put(plain, { enabled: true, admitPerSecond: 5, preQueueSeconds: 0 });
    assert.equal(on.status, 200);
    assert.equal(on.body.enabled, true);
    for (const api of [0, 1]) {
      const refused = await order(t!, plain, undefined, randomUUID(), api);
      assert.equal(refused.status, 403, `order-api #${api}`);
      assert.equal(refused.body.code, 'NOT_ADMITTED');
    }
    const off = await put(plain, { enabled: false, admitPerSecond: 5, preQueueSeconds: 0 });
    assert.equal(off.body.enabled, false);
    assert.equal((await order(t!, plain, undefined, randomUUID(), 1)).status, 202, 'switched off: ordering needs no token again');

    // A sync that read PostgreSQL just before the change and wrote Redis just after it (or a change whose Redis write
    // failed) leaves Redis saying "on": order-api's sync puts PostgreSQL's "off" back within an interval.
    await redis.hset(keys.room(plain), 'enabled', '1');
    const [late] = await shoppers(1);
    const deadline = Date.now() + 10_000;
    while ((await redis.hget(keys.room(plain), 'enabled')) !== '0') {
      assert.ok(Date.now() < deadline, 'the sync did not put "off" back within 10 s');
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.deepEqual((await join(late!, plain)).body, { seckillGoodId: plain, status: 'OPEN' });
  });

  it('draws a random place for everyone who joins in the pre-queue, keeps one place per shopper, and queues later joiners behind in arrival order', async () => {
    const startsIn = 6000;
    const early = await shoppers(80);
    const startMs = Date.now() + startsIn;
    const item = await seedSale(env.databaseUrl, { name: 'pre-queue', stock: 500, startTime: new Date(startMs), room: { admitPerSecond: 40, preQueueSeconds: 600 } });
    // Joined one after the other: arrival order is early[0], early[1], …
    for (const [i, s] of early.entries()) {
      const r = await join(s, item, i);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.status, 'WAITING');
    }
    assert.ok(Date.now() < startMs - 1000, 'the machine was too slow to join everyone within the pre-queue');

    // One place per shopper: joining again (also several times at once, on both instances) keeps it.
    const places = await Promise.all(early.map(async (s) => (await ticket(s, item)).body.position ?? -1));
    assert.deepEqual([...places].sort((a, b) => a - b), early.map((_, i) => i + 1), 'places are 1…n, each once');
    const again = await Promise.all(early.slice(0, 10).flatMap((s) => [join(s, item, 0), join(s, item, 1), join(s, item, 0)]));
    assert.deepEqual(again.map((r) => r.body.position), early.slice(0, 10).flatMap((_, i) => [places[i], places[i], places[i]]));
    assert.equal((await request<WaitingRoom>(apiOf(0), 'GET', `/api/admin/seckill/goods/${item}/waiting-room`, { token: admin })).body.waiting, early.length);
    // Arriving earlier gives no advantage: the drawn places are unrelated to arrival (|tau| ≈ 0.08 for n = 80 by
    // chance; 0.35 is over four standard deviations away).
    const tau = kendallTau(early.map((_, i) => i), places);
    assert.ok(Math.abs(tau) < 0.35, `arrival and place are correlated: tau ${tau.toFixed(2)}`);
    const first = places.indexOf(1);
    const eta = (await ticket(early[first]!, item)).body.etaSeconds ?? 0;
    assert.ok(eta > 0 && eta <= startsIn / 1000 + 1, `the first in line is told about the time until the start: ${eta}`);

    // After the start, in arrival order behind everyone drawn.
    const late = await shoppers(5);
    const firstAdmitted = await admitted(early[first]!, item);
    assert.ok(admittedAt(firstAdmitted) >= startMs - 50, 'nobody is admitted before the start');
    for (const s of late) assert.equal((await join(s, item)).body.status, 'WAITING');

    const all = await Promise.all([...early, ...late].map((s) => admitted(s, item)));
    const at = all.map(admittedAt);
    const byPlace = early.map((_, i) => i).sort((a, b) => places[a]! - places[b]!);
    for (let k = 1; k < byPlace.length; k++) assert.ok(at[byPlace[k]!]! >= at[byPlace[k - 1]!]!, 'admitted in the order of the drawn places');
    const lastEarly = Math.max(...at.slice(0, early.length));
    const lateAt = at.slice(early.length);
    assert.ok(lateAt.every((t) => t >= lastEarly), 'later joiners come after everyone in the pre-queue');
    assert.deepEqual([...lateAt].sort((a, b) => a - b), lateAt, 'later joiners in arrival order');
  });

  it('admits at the set rate across two order-api instances, one admitter at a time', async () => {
    const rate = 10;
    const item = await seedSale(env.databaseUrl, { name: 'rate', stock: 500, room: { admitPerSecond: rate, preQueueSeconds: 0 } });
    const crowd = await shoppers(45);
    await Promise.all(crowd.map((s, i) => join(s, item, i)));
    const tickets = await Promise.all(crowd.map((s) => admitted(s, item)));
    const at = tickets.map(admittedAt);
    const burst = Math.max(1, (rate * 2 * TICK_MS) / 1000);
    const most = busiestWindow(at, 1000);
    assert.ok(most <= rate + burst, `${most} admitted within one second at ${rate}/s`);
    const span = (Math.max(...at) - Math.min(...at)) / 1000;
    assert.ok(span >= (crowd.length - burst) / rate - 0.2, `${crowd.length} admitted in ${span.toFixed(2)} s: faster than ${rate}/s`);
    // Both instances ran admitters; the lease let exactly one of them admit this room.
    const holder = await redis.get(keys.lease(item));
    const pids = product.instances('order-api').map((p) => String(p.pid));
    assert.equal(pids.filter((pid) => holder?.split(':').includes(pid)).length, 1, `lease ${holder} held by one of ${pids.join(', ')}`);
  });

  it('admission tokens are single-use and bound to the shopper and the item', async () => {
    const item = await seedSale(env.databaseUrl, { name: 'tokens', stock: 50, room: { admitPerSecond: 50, preQueueSeconds: 0 } });
    const other = await seedSale(env.databaseUrl, { name: 'tokens other', stock: 50, room: { admitPerSecond: 50, preQueueSeconds: 0 } });
    const [a, b] = await shoppers(2);
    await join(a!, item);
    await join(b!, other);
    const ta = await admitted(a!, item);
    const tb = await admitted(b!, other);
    const code = async (p: Promise<{ status: number; body: ErrorBody }>) => {
      const r = await p;
      return `${r.status} ${r.body.code ?? ''}`.trim();
    };
    assert.equal(await code(order(a!, item)), '403 NOT_ADMITTED', 'no token');
    assert.equal(await code(order(a!, item, 'abc123')), '403 NOT_ADMITTED', 'a made-up token');
    assert.equal(await code(order(b!, item, ta.admissionToken)), '403 NOT_ADMITTED', "another shopper's token");
    assert.equal(await code(order(a!, item, tb.admissionToken)), '403 NOT_ADMITTED', 'a token of another item');
    assert.equal(await code(order(a!, item, 'not-hex!')), '400 VALIDATION_FAILED');
    const requestId = randomUUID();
    const placed = await order(a!, item, ta.admissionToken, requestId, 1);
    assert.equal(placed.status, 202, JSON.stringify(placed.body));
    const retried = await order(a!, item, ta.admissionToken, requestId, 0);
    assert.equal(retried.status, 202, 'the same request again (same requestId) still passes');
    assert.equal(retried.body.uuid, placed.body.uuid);
    assert.equal(await code(order(a!, item, ta.admissionToken)), '403 NOT_ADMITTED', 'a second order with the same token');
    assert.equal((await ticket(a!, item)).body.status, 'ADMITTED', 'the ticket still says admitted');

    const [stranger] = await shoppers(1);
    const notIn = await ticket(stranger!, item);
    assert.equal(notIn.status, 404);
    assert.equal(notIn.body.code, 'NOT_IN_ROOM');
    assert.equal((await roomSocket(stranger!, item).closed).code, 4404, 'the room socket of a shopper who never joined');
  });

  it('pushes positions on the room socket, and tells everyone still waiting the moment the item sells out', async () => {
    const units = 3;
    const item = await seedSale(env.databaseUrl, { name: 'sell-out', stock: units, room: { admitPerSecond: 4, preQueueSeconds: 0 } });
    const crowd = await shoppers(24);
    for (const s of crowd) await join(s, item);
    const sockets = crowd.map((s) => roomSocket(s, item));
    const last = sockets[sockets.length - 1]!;
    const firstPosition = await last.frame((f) => f.type === 'room.position');
    const moved = await last.frame((f) => f.type === 'room.position' && (f as unknown as { ahead: number }).ahead < (firstPosition as unknown as { ahead: number }).ahead);
    assert.ok((moved as unknown as { etaSeconds: number }).etaSeconds > 0);

    // Every admitted shopper buys at once; once the units are gone the rest are told, without waiting their turn.
    const outcomes = await Promise.all(
      sockets.map(async (socket, i) => {
        const f = (await socket.frame((x) => x.type === 'room.admitted' || x.type === 'room.closed', 30_000)) as unknown as { type: string; admissionToken?: string; reason?: string };
        if (f.type === 'room.closed') return `closed ${f.reason}`;
        const r = await order(crowd[i]!, item, f.admissionToken);
        return r.status === 202 ? 'ordered' : `refused ${r.body.code}`;
      }),
    );
    const closed = outcomes.filter((o) => o === 'closed SOLD_OUT').length;
    assert.equal(outcomes.filter((o) => o === 'ordered').length, units, outcomes.join(', '));
    assert.ok(closed >= crowd.length - 2 * units, `${closed} of ${crowd.length} told the room closed: ${outcomes.join(', ')}`);
    assert.ok(outcomes.every((o) => ['ordered', 'closed SOLD_OUT', 'refused SOLD_OUT'].includes(o)), outcomes.join(', '));
    await Promise.all(sockets.map((s) => s.closed));
    const [late] = await shoppers(1);
    assert.deepEqual((await join(late!, item)).body, { seckillGoodId: item, status: 'CLOSED', reason: 'SOLD_OUT' });
    const lateSocket = roomSocket(late!, item);
    assert.deepEqual(await lateSocket.frame(), { type: 'room.closed', seckillGoodId: item, reason: 'SOLD_OUT' });
    assert.equal((await lateSocket.closed).code, 1000);
  });

  it('goes on admitting when the order-api that holds the lease is killed mid-sale, without a burst', async () => {
    const rate = 10;
    const item = await seedSale(env.databaseUrl, { name: 'failover', stock: 500, room: { admitPerSecond: rate, preQueueSeconds: 0 } });
    const crowd = await shoppers(50);
    await Promise.all(crowd.map((s, i) => join(s, item, i)));
    await admitted(crowd[0]!, item);
    const holder = await redis.get(keys.lease(item));
    const victim = product.instances('order-api').find((p) => holder?.split(':').includes(String(p.pid)));
    assert.ok(victim, `the lease holder ${holder} is one of the instances`);
    await (victim as AppProcess).stop('SIGKILL');
    const killedAt = Date.now();

    const survivor = product.instances('order-api').find((p) => p !== victim)!;
    const rest = await Promise.all(
      crowd.slice(1).map(async (s) => {
        const socket = roomSocket(s, item);
        try {
          await socket.frame((f) => f.type === 'room.admitted', 30_000);
        } finally {
          socket.close();
        }
        return (await request<RoomTicket>(survivor.url, 'GET', `/api/seckill/goods/${item}/room`, { token: s.token })).body;
      }),
    );
    assert.ok(rest.every((t) => t.status === 'ADMITTED'), 'everyone still waiting is admitted by the survivor');
    const newHolder = await redis.get(keys.lease(item));
    assert.ok(newHolder?.split(':').includes(String(survivor.pid)), `the survivor holds the lease (${newHolder})`);
    const at = rest.map(admittedAt);
    const after = at.filter((t) => t > killedAt);
    assert.ok(after.length > 0, 'admissions went on after the kill');
    const burst = Math.max(1, (rate * 2 * TICK_MS) / 1000);
    assert.ok(busiestWindow(at, 1000) <= rate + burst, `no burst after the takeover: ${busiestWindow(at, 1000)} within a second`);
    const gap = Math.min(...after) - killedAt;
    assert.ok(gap <= LEASE_MS + 1500, `admission resumed ${gap} ms after the kill (lease ${LEASE_MS} ms)`);
    await product.replace(victim as AppProcess);
  });
});
