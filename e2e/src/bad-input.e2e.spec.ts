import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mintToken, request, seedSale, seedShoppers, sql, startProduct, TEST_JWT_SECRET, type Product, type TestEnv } from '@seckill/testing';

/**
 * Malformed requests get the documented 4xx and code, never a 5xx, and leave nothing behind: after the whole
 * table has run, no order request, reservation or order exists.
 */
let product: Product;
let env: TestEnv;
let api: { url: string };
let shopper: string;
let admin: string;
let itemId: number;
let upcomingId: number;
let endedId: number;

before(async () => {
  // order-api alone: nothing a malformed request could reach further is running, so nothing can hide behind it.
  product = await startProduct('e2e-bad-input', { instances: { 'order-worker': 0, 'websocket-notifier': 0 }, collector: false });
  ({ env, api } = product);
  const [user] = await seedShoppers(env.databaseUrl, 1, 'bad-input');
  shopper = mintToken(TEST_JWT_SECRET, user!);
  const login = await request<{ accessToken: string }>(api.url, 'POST', '/api/auth/login', { json: { username: 'admin', password: 'admin' } });
  admin = login.body.accessToken;
  itemId = await seedSale(env.databaseUrl, { stock: 5 });
  upcomingId = await seedSale(env.databaseUrl, { stock: 5, startTime: new Date(Date.now() + 3_600_000), endTime: new Date(Date.now() + 7_200_000) });
  endedId = await seedSale(env.databaseUrl, { stock: 5, startTime: new Date(Date.now() - 7_200_000), endTime: new Date(Date.now() - 3_600_000) });
});

after(async () => {
  await product?.stop();
});

interface Case {
  name: string;
  method: string;
  path: string | (() => string);
  token?: () => string;
  json?: unknown;
  raw?: string;
  headers?: Record<string, string>;
  status: number;
  code: string;
}

const ORDERS = '/api/seckill/orders';
const expired = () => mintToken(TEST_JWT_SECRET, { id: 1, username: 'x' }, -10);
const forged = () => mintToken('some-other-secret-of-enough-length', { id: 1, username: 'x' });
const json = { 'content-type': 'application/json' };

const CASES: Case[] = [
  { name: 'malformed JSON', method: 'POST', path: ORDERS, token: () => shopper, raw: '{"seckillGoodId": 1', headers: json, status: 400, code: 'VALIDATION_FAILED' },
  { name: 'empty JSON body', method: 'POST', path: ORDERS, token: () => shopper, raw: '', headers: json, status: 400, code: 'VALIDATION_FAILED' },
  { name: 'JSON array body', method: 'POST', path: ORDERS, token: () => shopper, json: [1], status: 400, code: 'VALIDATION_FAILED' },
  { name: 'JSON null body', method: 'POST', path: ORDERS, token: () => shopper, raw: 'null', headers: json, status: 400, code: 'VALIDATION_FAILED' },
  { name: 'id as string', method: 'POST', path: ORDERS, token: () => shopper, json: { seckillGoodId: '1' }, status: 400, code: 'VALIDATION_FAILED' },
  { name: 'id as float', method: 'POST', path: ORDERS, token: () => shopper, json: { seckillGoodId: 1.5 }, status: 400, code: 'VALIDATION_FAILED' },
  { name: 'negative id', method: 'POST', path: ORDERS, token: () => shopper, json: { seckillGoodId: -1 }, status: 400, code: 'VALIDATION_FAILED' },
  { name: 'id beyond int32', method: 'POST', path: ORDERS, token: () => shopper, json: { seckillGoodId: 2 ** 40 }, status: 400, code: 'VALIDATION_FAILED' },
  { name: 'missing id', method: 'POST', path: ORDERS, token: () => shopper, json: {}, status: 400, code: 'VALIDATION_FAILED' },
  { name: 'extra field', method: 'POST', path: ORDERS, token: () => shopper, json: { seckillGoodId: 1, price: 0 }, status: 400, code: 'VALIDATION_FAILED' },
  { name: 'requestId not a uuid', method: 'POST', path: ORDERS, token: () => shopper, json: { seckillGoodId: 1, requestId: 'abc' }, status: 400, code: 'VALIDATION_FAILED' },
  { name: 'prototype pollution attempt', method: 'POST', path: ORDERS, token: () => shopper, raw: '{"seckillGoodId":1,"__proto__":{"admin":true}}', headers: json, status: 400, code: 'VALIDATION_FAILED' },
  { name: 'wrong content type', method: 'POST', path: ORDERS, token: () => shopper, raw: 'seckillGoodId=1', headers: { 'content-type': 'application/x-www-form-urlencoded' }, status: 400, code: 'VALIDATION_FAILED' },
  { name: 'huge body', method: 'POST', path: ORDERS, token: () => shopper, json: { seckillGoodId: 1, pad: 'x'.repeat(100_000) }, status: 413, code: 'PAYLOAD_TOO_LARGE' },
  { name: 'unknown item', method: 'POST', path: ORDERS, token: () => shopper, json: { seckillGoodId: 999_999 }, status: 404, code: 'GOOD_NOT_FOUND' },
  { name: 'zero id', method: 'POST', path: ORDERS, token: () => shopper, json: { seckillGoodId: 0 }, status: 400, code: 'VALIDATION_FAILED' },
  { name: 'no token', method: 'POST', path: ORDERS, json: { seckillGoodId: 1 }, status: 401, code: 'UNAUTHORIZED' },
  { name: 'garbage token', method: 'POST', path: ORDERS, token: () => 'not.a.jwt', json: { seckillGoodId: 1 }, status: 401, code: 'UNAUTHORIZED' },
  // Authentication before the body: a stranger learns nothing about what a valid order looks like.
  { name: 'no token and a bad body', method: 'POST', path: ORDERS, json: { seckillGoodId: 'x', extra: 1 }, status: 401, code: 'UNAUTHORIZED' },
  { name: 'expired token', method: 'POST', path: ORDERS, token: expired, json: { seckillGoodId: 1 }, status: 401, code: 'UNAUTHORIZED' },
  { name: 'token signed with another secret', method: 'POST', path: ORDERS, token: forged, json: { seckillGoodId: 1 }, status: 401, code: 'UNAUTHORIZED' },
  { name: 'unsigned token (alg none)', method: 'POST', path: ORDERS, token: () => `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"1","role":"admin"}').toString('base64url')}.`, json: { seckillGoodId: 1 }, status: 401, code: 'UNAUTHORIZED' },
  { name: 'poll a malformed uuid', method: 'GET', path: `${ORDERS}/not-a-uuid`, token: () => shopper, status: 404, code: 'REQUEST_NOT_FOUND' },
  { name: 'poll an unknown uuid', method: 'GET', path: `${ORDERS}/6f1c2d3e-4a5b-46c7-8899-00aabbccddee`, token: () => shopper, status: 404, code: 'REQUEST_NOT_FOUND' },
  { name: 'unknown route', method: 'GET', path: '/api/nothing-here', status: 404, code: 'NOT_FOUND' },
  { name: 'item id not a number', method: 'GET', path: '/api/seckill/goods/abc', status: 404, code: 'GOOD_NOT_FOUND' },
  { name: 'unknown item detail', method: 'GET', path: '/api/seckill/goods/424242', status: 404, code: 'GOOD_NOT_FOUND' },
  { name: 'register: short password', method: 'POST', path: '/api/auth/register', json: { username: 'someone', password: 'short' }, status: 400, code: 'VALIDATION_FAILED' },
  { name: 'register: bad username', method: 'POST', path: '/api/auth/register', json: { username: 'a b<script>', password: 'long enough pw' }, status: 400, code: 'VALIDATION_FAILED' },
  { name: 'register: username taken', method: 'POST', path: '/api/auth/register', json: { username: 'admin', password: 'long enough pw' }, status: 409, code: 'USERNAME_TAKEN' },
  { name: 'login: wrong password', method: 'POST', path: '/api/auth/login', json: { username: 'admin', password: 'wrong' }, status: 401, code: 'INVALID_CREDENTIALS' },
  { name: 'login: unknown user', method: 'POST', path: '/api/auth/login', json: { username: 'nobody-here', password: 'whatever' }, status: 401, code: 'INVALID_CREDENTIALS' },
  { name: 'login: password as number', method: 'POST', path: '/api/auth/login', json: { username: 'admin', password: 12345 }, status: 400, code: 'VALIDATION_FAILED' },
  // Found by npm run fuzz: a NUL reached PostgreSQL (text cannot hold one) and answered 500.
  { name: 'login: NUL in the username', method: 'POST', path: '/api/auth/login', json: { username: 'ad\u0000min', password: 'admin' }, status: 400, code: 'VALIDATION_FAILED' },
  {
    name: 'admin: NUL in the name', method: 'POST', path: '/api/admin/seckill/goods', token: () => admin,
    json: { name: 'x\u0000', price: '1.00', seckillPrice: '0.50', stock: 1, startTime: '2030-01-01T00:00:00Z', endTime: '2030-01-02T00:00:00Z' }, status: 400, code: 'VALIDATION_FAILED',
  },
  { name: 'admin route as shopper', method: 'POST', path: '/api/admin/seckill/goods', token: () => shopper, json: {}, status: 403, code: 'FORBIDDEN' },
  { name: 'admin route without token', method: 'POST', path: '/api/admin/seckill/goods', json: {}, status: 401, code: 'UNAUTHORIZED' },
  {
    name: 'admin: end before start', method: 'POST', path: '/api/admin/seckill/goods', token: () => admin,
    json: { name: 'x', price: '1.00', seckillPrice: '0.50', stock: 1, startTime: '2030-01-02T00:00:00Z', endTime: '2030-01-01T00:00:00Z' }, status: 400, code: 'VALIDATION_FAILED',
  },
  {
    name: 'admin: price with three decimals', method: 'POST', path: '/api/admin/seckill/goods', token: () => admin,
    json: { name: 'x', price: '1.005', seckillPrice: '0.50', stock: 1, startTime: '2030-01-01T00:00:00Z', endTime: '2030-01-02T00:00:00Z' }, status: 400, code: 'VALIDATION_FAILED',
  },
  {
    name: 'admin: zero stock', method: 'POST', path: '/api/admin/seckill/goods', token: () => admin,
    json: { name: 'x', price: '1.00', seckillPrice: '0.50', stock: 0, startTime: '2030-01-01T00:00:00Z', endTime: '2030-01-02T00:00:00Z' }, status: 400, code: 'VALIDATION_FAILED',
  },
  { name: 'admin: add stock to unknown item', method: 'POST', path: '/api/admin/seckill/goods/424242/stock', token: () => admin, json: { delta: 1 }, status: 404, code: 'GOOD_NOT_FOUND' },
  { name: 'admin: reconcile an unknown item', method: 'POST', path: '/api/admin/seckill/goods/424242/reconcile', token: () => admin, status: 404, code: 'GOOD_NOT_FOUND' },
  { name: 'pay an unknown order', method: 'POST', path: '/api/orders/2026112200000099999/pay', token: () => shopper, status: 404, code: 'ORDER_NOT_FOUND' },
  { name: 'cancel a malformed order number', method: 'POST', path: '/api/orders/abc%27--/cancel', token: () => shopper, status: 404, code: 'ORDER_NOT_FOUND' },
  { name: 'pay without a token', method: 'POST', path: '/api/orders/1/pay', status: 401, code: 'UNAUTHORIZED' },
  { name: 'admin: negative stock delta', method: 'POST', path: '/api/admin/seckill/goods/1/stock', token: () => admin, json: { delta: -5 }, status: 400, code: 'VALIDATION_FAILED' },
  // Answered by Fastify's router and Node's HTTP parser before any route runs: still the contract's body.
  { name: 'broken percent-encoding in a path', method: 'GET', path: '/api/seckill/goods/%c0%ae', status: 400, code: 'VALIDATION_FAILED' },
  { name: 'path parameter over the router limit', method: 'GET', path: `/api/seckill/goods/${'9'.repeat(150)}`, status: 400, code: 'VALIDATION_FAILED' },
  { name: 'request headers over 16 KiB', method: 'GET', path: '/api/seckill/goods', headers: { 'x-padding': 'a'.repeat(20_000) }, status: 400, code: 'VALIDATION_FAILED' },
];

/** Sends one case and asserts the documented answer. */
async function check(c: Case): Promise<void> {
  const res = await request<{ statusCode: number; code: string; message: string }>(api.url, c.method, typeof c.path === 'string' ? c.path : c.path(), {
    ...(c.token ? { token: c.token() } : {}),
    ...(c.json !== undefined ? { json: c.json } : {}),
    ...(c.raw !== undefined ? { raw: c.raw } : {}),
    ...(c.headers ? { headers: c.headers } : {}),
  });
  assert.equal(res.status, c.status, JSON.stringify(res.body));
  assert.equal(res.body.code, c.code);
  assert.equal(res.body.statusCode, c.status);
  assert.equal(typeof res.body.message, 'string');
}

describe('bad input', () => {
  for (const c of CASES) {
    it(`${c.name} → ${c.status} ${c.code}`, () => check(c));
  }

  it('names every problem of a refused order body, and OpenAPI shows the schema that refused it', async () => {
    const res = await request<{ message: string; details?: { problems: string[] } }>(api.url, 'POST', ORDERS, { token: shopper, json: { seckillGoodId: 'x', requestId: 'y', extra: 1 } });
    assert.equal(res.status, 400);
    assert.equal(res.body.details?.problems.length, 3, JSON.stringify(res.body));
    assert.equal(res.body.message, res.body.details?.problems.join('; '));
    type Doc = { paths: Record<string, { post?: { requestBody?: { content: Record<string, { schema: Record<string, unknown> }> } } }> };
    const doc = await request<Doc>(api.url, 'GET', '/docs-json');
    const schema = doc.body.paths[ORDERS]?.post?.requestBody?.content['application/json']?.schema;
    assert.deepEqual([schema?.['additionalProperties'], schema?.['required']], [false, ['seckillGoodId']]);
    assert.deepEqual(schema?.['properties'] && (schema['properties'] as Record<string, unknown>)['seckillGoodId'], {
      type: 'integer', minimum: 1, maximum: 2_147_483_647, description: 'The sale item.',
    });
  });

  it('rejects orders outside the sale window with 403', async () => {
    const early = await request<{ code: string }>(api.url, 'POST', ORDERS, { token: shopper, json: { seckillGoodId: upcomingId } });
    assert.deepEqual([early.status, early.body.code], [403, 'SALE_NOT_STARTED']);
    const late = await request<{ code: string }>(api.url, 'POST', ORDERS, { token: shopper, json: { seckillGoodId: endedId } });
    assert.deepEqual([late.status, late.body.code], [403, 'SALE_ENDED']);
  });

  it('left nothing half-done: no order, no outcome, no reservation', async () => {
    // The order requests of the table again, aimed at a live item where an id is given, so this test needs no other to
    // have run first: each is refused, and none may leave an order request, an order or a reservation behind.
    const orderCases = CASES.filter((c) => c.method === 'POST' && c.path === ORDERS).map((c) =>
      c.json && typeof c.json === 'object' && !Array.isArray(c.json) && (c.json as { seckillGoodId?: unknown }).seckillGoodId === 1
        ? { ...c, json: { ...c.json, seckillGoodId: itemId } }
        : c,
    );
    for (const c of orderCases) await check(c);
    for (const item of [upcomingId, endedId]) {
      assert.equal((await request(api.url, 'POST', ORDERS, { token: shopper, json: { seckillGoodId: item } })).status, 403);
    }
    const [counts] = await sql<{ orders: string; requests: string; left: number }>(
      env.databaseUrl,
      `SELECT (SELECT count(*) FROM orders) AS orders, (SELECT count(*) FROM order_requests) AS requests,
              (SELECT stock_left FROM seckill_goods WHERE id = $1) AS left`,
      [itemId],
    );
    assert.deepEqual([Number(counts!.orders), Number(counts!.requests), counts!.left], [0, 0, 5]);
    const item = await request<{ stockLeft: number }>(api.url, 'GET', `/api/seckill/goods/${itemId}`);
    assert.equal(item.body.stockLeft, 5);
  });
});
