import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Redis from 'ioredis';
import { mintToken, seedSale, seedShoppers, startProduct, TEST_JWT_SECRET, type AppProcess, type Product } from '@seckill/testing';

/**
 * The request limits with real processes: two order-api instances on one Redis, limits on (every other suite runs
 * with RATE_LIMITS=off), default rules. Every request comes from 127.0.0.1, so the per-address limits are shared by
 * the whole suite: the tests stay below them where they do not test them (login 100 a minute, orders 300 a second).
 */
let product: Product;
let redis: Redis;

before(async () => {
  product = await startProduct('e2e-limits', { instances: { 'order-api': 2 }, vars: { RATE_LIMITS: 'on' } });
  redis = new Redis(product.env.redisUrl);
});

after(async () => {
  redis?.disconnect();
  await product?.stop();
});

const apis = (): readonly AppProcess[] => product.instances('order-api');
/** Alternates between the two instances: a limit that held per instance only would let twice as much through. */
const nth = (i: number): AppProcess => apis()[i % 2]!;

interface Answer {
  status: number;
  code?: string;
  retryAfter: string | null;
}

async function post(app: AppProcess, path: string, json: unknown, token?: string): Promise<Answer> {
  const res = await fetch(`${app.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(json),
  });
  const body = (await res.json()) as { code?: string };
  return { status: res.status, code: body.code, retryAfter: res.headers.get('retry-after') };
}

/** Every answer from the first 429 on is a 429 with a Retry-After of whole seconds within the window. */
function assertRefusedFromFirst429(answers: Answer[], windowSeconds: number): number {
  const first = answers.findIndex((a) => a.status === 429);
  assert.ok(first >= 0, `no 429 among ${answers.map((a) => a.status).join(' ')}`);
  for (const a of answers.slice(first)) {
    assert.deepEqual([a.status, a.code], [429, 'RATE_LIMITED']);
    assert.match(a.retryAfter ?? '', /^\d+$/);
    assert.ok(Number(a.retryAfter) >= 1 && Number(a.retryAfter) <= windowSeconds, `Retry-After ${a.retryAfter}`);
  }
  return first;
}

describe('request limits shared by two order-api instances', () => {
  it('meets 429 with Retry-After within 60 wrong passwords for one username, across both instances', async () => {
    assert.equal((await post(nth(0), '/api/auth/register', { username: 'victim', password: 'the right password' })).status, 201);
    const answers: Answer[] = [];
    for (let i = 0; i < 60; i++) answers.push(await post(nth(i), '/api/auth/login', { username: 'victim', password: `guess ${i}` }));
    const first = assertRefusedFromFirst429(answers, 60);
    assert.equal(first, 10, 'the default: 10 attempts per username a minute, counted across both instances');
    assert.ok(answers.slice(0, first).every((a) => a.status === 401 && a.code === 'INVALID_CREDENTIALS'));
    // Even the right password waits now: the limit is on the username, whoever is guessing.
    const owner = await post(nth(1), '/api/auth/login', { username: 'victim', password: 'the right password' });
    assert.deepEqual([owner.status, owner.code], [429, 'RATE_LIMITED']);
  });

  it('meets 429 within 60 registrations from one address, across both instances, creating no account beyond it', async () => {
    const answers: Answer[] = [];
    for (let i = 0; i < 60; i++) answers.push(await post(nth(i), '/api/auth/register', { username: `newcomer${i}`, password: 'a long password' }));
    const first = assertRefusedFromFirst429(answers, 3600);
    // The first test registered one account from this address already: 20 an hour in all.
    assert.equal(first, 19);
    const late = await post(nth(0), '/api/auth/login', { username: `newcomer${first}`, password: 'a long password' });
    assert.deepEqual([late.status, late.code], [401, 'INVALID_CREDENTIALS'], 'the refused registration created nothing');
  });

  it('limits one shopper to 10 order requests a second across both instances', async () => {
    const [shopper] = await seedShoppers(product.env.databaseUrl, 1, 'eager');
    const token = mintToken(TEST_JWT_SECRET, shopper!);
    const items = await Promise.all(Array.from({ length: 40 }, () => seedSale(product.env.databaseUrl, { stock: 5 })));
    // Distinct items, so every request that passes the limits is accepted (one live order per user per item).
    const started = Date.now();
    const answers = await Promise.all(items.map((id, i) => post(nth(i), '/api/seckill/orders', { seckillGoodId: id }, token)));
    const elapsed = Date.now() - started;
    const passed = answers.filter((a) => a.status !== 429);
    assert.ok(passed.every((a) => a.status === 202), JSON.stringify(passed));
    const refused = answers.filter((a) => a.status === 429);
    assert.ok(refused.length > 0);
    for (const a of refused) assert.deepEqual([a.code, a.retryAfter], ['RATE_LIMITED', '1']);
    // A window opens with the first request and lasts a second: each one lets 10 through, whichever instance.
    const windows = Math.floor(elapsed / 1000) + 1;
    assert.ok(passed.length <= 10 * windows, `${passed.length} passed in ${elapsed} ms`);
    if (windows === 1) assert.equal(passed.length, 10, 'each instance alone would have let 20 through');
  });

  it('answers a sold-out flood 409 from memory: no limit is checked in Redis for it', async () => {
    const item = await seedSale(product.env.databaseUrl, { stock: 1 });
    const shoppers = await seedShoppers(product.env.databaseUrl, 202, 'flood');
    const tokens = shoppers.map((s) => mintToken(TEST_JWT_SECRET, s));
    // Every command Redis executes, in execution order (MONITOR): the limits' keys name the user they count.
    const limitKey = `${product.env.redisKeyPrefix}limit:order_user:`;
    const monitor = await redis.monitor();
    const counted: number[] = [];
    const waiters: { until: (args: string[]) => boolean; resolve: () => void }[] = [];
    monitor.on('monitor', (_time: string, args: string[]) => {
      for (const a of args) if (a.startsWith(limitKey)) counted.push(Number(a.slice(limitKey.length)));
      for (const w of waiters.splice(0)) (w.until(args) ? w.resolve : () => waiters.push(w))();
    });
    const seen = (until: (args: string[]) => boolean) => new Promise<void>((resolve) => waiters.push({ until, resolve }));
    try {
      const witness = seen((args) => args.includes(`${limitKey}${shoppers[0]!.id}`));
      assert.equal((await post(nth(0), '/api/seckill/orders', { seckillGoodId: item }, tokens[0])).status, 202);
      await witness;
      // One request per instance meets Redis's 0 and sets that instance's flag.
      for (const i of [1, 2]) assert.deepEqual((await post(nth(i), '/api/seckill/orders', { seckillGoodId: item }, tokens[i])).code, 'SOLD_OUT');
      const flood = shoppers.slice(3);
      const answers = await Promise.all(flood.map((_, i) => post(nth(i), '/api/seckill/orders', { seckillGoodId: item }, tokens[i + 3])));
      assert.ok(answers.every((a) => a.status === 409 && a.code === 'SOLD_OUT'), JSON.stringify(answers.find((a) => a.code !== 'SOLD_OUT')));
      // MONITOR reports commands in the order Redis ran them: once this one is seen, so is everything the flood caused.
      const sentinel = `${product.env.redisKeyPrefix}sentinel`;
      const end = seen((args) => args.includes(sentinel));
      await redis.get(sentinel);
      await end;
      const floodIds = new Set(flood.map((s) => s.id));
      assert.ok(counted.includes(shoppers[0]!.id), 'the order that reached Redis was counted there');
      assert.deepEqual(counted.filter((id) => floodIds.has(id)), [], 'the flood never reached the shared limits');
    } finally {
      monitor.disconnect();
    }
  });
});
