import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import Redis from 'ioredis';
import WebSocket from 'ws';
import { mintToken, request, seedSale, seedShoppers, SocketClient, startProduct, TEST_JWT_SECRET, type AppProcess, type Product } from '@seckill/testing';

/**
 * The guarded socket (docs/security.md, "The socket") against real notifier processes: A and B share Redis with
 * the default wait on unknown uuids; C has a small instance limit and a short wait. Only the notifiers run with
 * RATE_LIMITS=on; order-api's request limits are another suite's business.
 */
const PER_USER = 3;
const C_MAX_SOCKETS = 4;
const C_UNOWNED_WAIT_MS = 1500;

let product: Product;
let redis: Redis;
let itemId: number;
let shoppers: { id: number; token: string }[];
let nextShopper = 0;
let notifierC: AppProcess;

const [notifierA, notifierB] = [() => product.instances('websocket-notifier')[0]!, () => product.instances('websocket-notifier')[1]!];

before(async () => {
  product = await startProduct('e2e-socket-guard', {
    instances: { 'websocket-notifier': 2 },
    overrides: { 'websocket-notifier': { RATE_LIMITS: 'on', NOTIFIER_SOCKETS_PER_USER: String(PER_USER) } },
    collector: false,
  });
  notifierC = await product.add('websocket-notifier', {
    RATE_LIMITS: 'on',
    NOTIFIER_SOCKETS_PER_USER: String(PER_USER),
    NOTIFIER_MAX_SOCKETS: String(C_MAX_SOCKETS),
    NOTIFIER_UNOWNED_WAIT_MS: String(C_UNOWNED_WAIT_MS),
  });
  redis = new Redis(product.env.redisUrl);
  itemId = await seedSale(product.env.databaseUrl, { stock: 1000 });
  shoppers = (await seedShoppers(product.env.databaseUrl, 40, 'guard')).map((u) => ({ id: u.id, token: mintToken(TEST_JWT_SECRET, u) }));
});

after(async () => {
  redis?.disconnect();
  await product?.stop();
});

const shopper = () => shoppers[nextShopper++]!;
const wsUrl = (n: AppProcess, uuid: string, token?: string) => `ws://127.0.0.1:${n.port}/${uuid}${token === undefined ? '' : `?token=${encodeURIComponent(token)}`}`;
const order = (token: string, requestId: string) =>
  request<{ uuid: string; status: string }>(product.api.url, 'POST', '/api/seckill/orders', { token, json: { seckillGoodId: itemId, requestId } });
const slotsKey = (userId: number) => `${product.env.redisKeyPrefix}ws:user:${userId}`;

/** A notifier's metric, summed over the samples carrying `labels` (0 when absent). */
async function metric(n: AppProcess, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`${n.url}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .filter((l) => Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

/** Polls until `probe` answers `want` (a state another process reaches after an event the test cannot hear). */
async function until<T>(probe: () => Promise<T>, want: T, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let got = await probe();
  while (got !== want) {
    if (Date.now() > deadline) throw new Error(`${what}: still ${String(got)}, want ${String(want)}`);
    await new Promise((r) => setTimeout(r, 50));
    got = await probe();
  }
}

describe('the guarded socket', () => {
  it('refuses a missing or bad token with 4401 during the upgrade: no registry entry, no slot, never counted as a connection', async () => {
    const uuid = randomUUID();
    const refusedBefore = await metric(notifierA(), 'seckill_ws_refused_total', { code: '4401' });
    const connectionsBefore = await metric(notifierA(), 'seckill_ws_connections');
    const forged = mintToken('another-secret-of-sufficient-length!', { id: shoppers[0]!.id, username: 'x' });
    for (const token of [undefined, 'not-a-token', forged]) assert.equal((await new SocketClient(wsUrl(notifierA(), uuid, token)).closed).code, 4401);
    assert.equal(await metric(notifierA(), 'seckill_ws_refused_total', { code: '4401' }), refusedBefore + 3);
    assert.equal(await metric(notifierA(), 'seckill_ws_connections'), connectionsBefore);
    assert.equal(await redis.exists(`${product.env.redisKeyPrefix}notify:at:${uuid}`), 0, 'no instance registered the uuid');
    assert.equal(await redis.exists(slotsKey(shoppers[0]!.id)), 0);
  });

  it(`lets a user hold ${PER_USER} sockets across both instances and closes the next with 4429; a close frees a slot`, async () => {
    const s = shopper();
    const held = [notifierA, notifierA, notifierB].map((n) => new SocketClient(wsUrl(n(), randomUUID(), s.token)));
    await Promise.all(held.map((h) => h.opened));
    // Open on the client is before the slot is claimed on the server: Redis says when all three count.
    await until(() => redis.zcard(slotsKey(s.id)), PER_USER, 'slots claimed');
    for (const n of [notifierB, notifierA]) assert.equal((await new SocketClient(wsUrl(n(), randomUUID(), s.token)).closed).code, 4429);
    assert.ok(held.every((h) => h.isOpen), 'the sockets already held are kept');
    assert.equal(await redis.zcard(slotsKey(s.id)), PER_USER, 'the refused ones left nothing');
    const other = new SocketClient(wsUrl(notifierB(), randomUUID(), shopper().token));
    await other.opened;

    held[0]!.close();
    await until(() => redis.zcard(slotsKey(s.id)), PER_USER - 1, 'slot released');
    const again = new SocketClient(wsUrl(notifierB(), randomUUID(), s.token));
    await again.opened;
    await until(() => redis.zcard(slotsKey(s.id)), PER_USER, 'slot claimed again');
    assert.equal(again.isOpen, true);
    for (const c of [...held, other, again]) c.close();
  });

  it('closes a frame over the size limit with 1009', async () => {
    const s = shopper();
    const ws = new WebSocket(wsUrl(notifierB(), randomUUID(), s.token));
    ws.on('error', () => undefined);
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    await new Promise((resolve) => ws.once('open', resolve));
    await until(() => redis.zcard(slotsKey(s.id)), 1, 'socket set up');
    ws.send('x'.repeat(4097));
    assert.equal(await closed, 1009);
    await until(() => redis.zcard(slotsKey(s.id)), 0, 'its slot released');
  });

  it(`closes with 1013 a socket beyond an instance's own limit (${C_MAX_SOCKETS} on C), whoever opens it`, async () => {
    // Sockets on uuids their shoppers ordered: owned, so C's short wait on unknown uuids does not close them.
    const held: SocketClient[] = [];
    for (let i = 0; i < C_MAX_SOCKETS; i++) {
      const s = shopper();
      const uuid = randomUUID();
      assert.equal((await order(s.token, uuid)).status, 202);
      const socket = new SocketClient(wsUrl(notifierC, uuid, s.token));
      await socket.frame();
      held.push(socket);
    }
    assert.equal((await new SocketClient(wsUrl(notifierC, randomUUID(), shopper().token)).closed).code, 1013);
    const elsewhere = new SocketClient(wsUrl(notifierA(), randomUUID(), shopper().token));
    await elsewhere.opened; // another instance takes it
    held[0]!.close();
    await until(() => metric(notifierC, 'seckill_ws_connections'), C_MAX_SOCKETS - 1, 'C saw the close');
    const next = new SocketClient(wsUrl(notifierC, randomUUID(), shopper().token));
    await next.opened;
    assert.equal(next.isOpen, true);
    for (const c of [...held, next, elsewhere]) c.close();
    await until(() => metric(notifierC, 'seckill_ws_connections'), 0, 'C empty again');
  });

  it(`closes with 4408 a socket whose uuid nobody claims within the bounded wait (${C_UNOWNED_WAIT_MS} ms on C), not one that was ordered`, async () => {
    const s = shopper();
    const ordered = randomUUID();
    const owned = new SocketClient(wsUrl(notifierC, ordered, s.token));
    await owned.opened;
    assert.equal((await order(s.token, ordered)).status, 202);
    const started = Date.now();
    const stray = new SocketClient(wsUrl(notifierC, randomUUID(), s.token));
    assert.equal((await stray.closed).code, 4408);
    assert.ok(Date.now() - started >= C_UNOWNED_WAIT_MS, 'not before the wait');
    // The owned socket connected first, so its wait would have ended first.
    assert.equal(owned.isOpen, true);
    assert.equal((await owned.frame()).status, 'SUCCESS');
    owned.close();
  });

  it('never gives shopper B the outcome of A\'s requestId, waited on before A ordered: B is closed with 4403', async () => {
    const [a, b] = [shopper(), shopper()];
    const requestId = randomUUID();
    const early = [notifierA, notifierB].map((n) => new SocketClient(wsUrl(n(), requestId, b.token)));
    const mine = new SocketClient(wsUrl(notifierA(), requestId, a.token));
    await Promise.all([...early, mine].map((c) => c.opened));
    // Open on the client is before the server registered the uuid: the registry says when both instances hold it.
    await until(() => redis.zcard(`${product.env.redisKeyPrefix}notify:at:${requestId}`), 2, 'both instances registered');
    assert.equal((await order(a.token, requestId)).status, 202);
    assert.equal((await mine.frame()).status, 'SUCCESS');
    for (const e of early) {
      assert.equal((await e.closed).code, 4403);
      assert.deepEqual(e.frames, []);
    }
    assert.equal((await new SocketClient(wsUrl(notifierB(), requestId, b.token)).closed).code, 4403, 'refused at once now');
    const poll = await request(product.api.url, 'GET', `/api/seckill/orders/${requestId}`, { token: b.token });
    assert.equal(poll.status, 404);
    mine.close();
  });
});
