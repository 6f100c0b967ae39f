import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import fc from 'fast-check';
import type { LoginAnswer, OrderAccepted, OrderResult, SaleItem } from '@seckill/contracts';
import { parkingLotName, QUEUES } from '@seckill/messaging';
import { request } from '@seckill/testing';
import type { Targets } from './cases';

/** How to reach the product and who the admin is. */
export interface FixtureAccess {
  baseUrl: string;
  jwtSecret: string;
  admin: { username: string; password: string };
  bodyLimit: number;
}

/** What the fixtures made, for the report and the state check. */
export interface Fixtures {
  targets: Targets;
  saleItemId: number;
  shoppers: { username: string; uuid: string; orderNo: string }[];
}

/**
 * Everything a route with an id needs to have a real target, made through the public API so it works against a
 * running product as well as a private one: the admin's token, two shoppers (registered and logged in), a live
 * sale item, an order of each shopper on it (placed, then polled until the worker has written it), and a second
 * order of shopper A on a second item for cancel.
 */
export async function makeFixtures(access: FixtureAccess): Promise<Fixtures> {
  const { baseUrl } = access;
  const admin = await login(baseUrl, access.admin.username, access.admin.password);
  const tag = randomBytes(3).toString('hex');
  const password = `fuzz-${randomBytes(8).toString('hex')}`;
  const shoppers: { username: string; token: string }[] = [];
  for (const who of ['a', 'b']) {
    const username = `fuzz-${who}-${tag}`;
    const reg = await request(baseUrl, 'POST', '/api/auth/register', { json: { username, password } });
    if (reg.status !== 201) throw new Error(`registering ${username}: ${reg.status} ${JSON.stringify(reg.body)}`);
    shoppers.push({ username, token: await login(baseUrl, username, password) });
  }
  const now = Date.now();
  const created = await request<SaleItem>(baseUrl, 'POST', '/api/admin/seckill/goods', {
    token: admin,
    json: { name: `fuzz target ${tag}`, price: '100.00', seckillPrice: '9.90', stock: 1000, startTime: new Date(now - 60_000).toISOString(), endTime: new Date(now + 6 * 3_600_000).toISOString() },
  });
  if (created.status !== 201) throw new Error(`creating the sale item: ${created.status} ${JSON.stringify(created.body)}`);
  const saleItemId = created.body.id;
  const orders = [];
  for (const s of shoppers) orders.push({ username: s.username, ...(await placeOrder(baseUrl, s.token, saleItemId)) });
  const [a, b] = shoppers as [{ username: string; token: string }, { username: string; token: string }];
  const mine = orders[0]!;
  // Shopper A's second order (one per item, so on a second item) is the one cancel aims at: by the time cancel's
  // valid requests run, pay's have paid the first, and a paid order cannot be cancelled.
  const second = await request<SaleItem>(baseUrl, 'POST', '/api/admin/seckill/goods', {
    token: admin,
    json: { name: `fuzz target ${tag} (cancel)`, price: '100.00', seckillPrice: '9.90', stock: 10, startTime: new Date(now - 60_000).toISOString(), endTime: new Date(now + 6 * 3_600_000).toISOString() },
  });
  if (second.status !== 201) throw new Error(`creating the second sale item: ${second.status} ${JSON.stringify(second.body)}`);
  const toCancel = await placeOrder(baseUrl, a.token, second.body.id);
  const targets: Targets = {
    tokens: { shopper: a.token, otherShopper: b.token, admin, secret: access.jwtSecret },
    pathValues: { id: String(saleItemId), uuid: mine.uuid, orderNo: mine.orderNo, queue: parkingLotName(QUEUES[0]!.name) },
    routePathValues: { 'POST /api/orders/{orderNo}/cancel': { orderNo: toCancel.orderNo } },
    hints: {
      seckillGoodId: fc.constant(saleItemId),
      username: fc.oneof(fc.constant(a.username), fc.stringMatching(/^[A-Za-z0-9._-]{3,32}$/)),
      password: fc.oneof(fc.constant(password), fc.string({ unit: 'grapheme', minLength: 8, maxLength: 40 })),
      price: fc.stringMatching(/^\d{1,6}(\.\d{1,2})?$/),
      seckillPrice: fc.stringMatching(/^\d{1,4}(\.\d{1,2})?$/),
      stock: fc.integer({ min: 1, max: 1000 }),
      delta: fc.integer({ min: 1, max: 1000 }),
      startTime: fc.integer({ min: -3_600_000, max: 3_600_000 }).map((d) => new Date(now + d).toISOString()),
      endTime: fc.integer({ min: 3_600_000, max: 7_200_000 }).map((d) => new Date(now + d).toISOString()),
    },
    bodyLimit: access.bodyLimit,
  };
  return { targets, saleItemId, shoppers: orders };
}

async function login(baseUrl: string, username: string, password: string): Promise<string> {
  const res = await request<LoginAnswer>(baseUrl, 'POST', '/api/auth/login', { json: { username, password } });
  if (res.status !== 200) throw new Error(`logging in as ${username}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.accessToken;
}

/** Places an order and polls its outcome (the API's own way to follow it) until the worker has written it. */
async function placeOrder(baseUrl: string, token: string, saleItemId: number, timeoutMs = 30_000): Promise<{ uuid: string; orderNo: string }> {
  const placed = await request<OrderAccepted>(baseUrl, 'POST', '/api/seckill/orders', { token, json: { seckillGoodId: saleItemId } });
  if (placed.status !== 202) throw new Error(`placing the fixture order: ${placed.status} ${JSON.stringify(placed.body)}`);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const res = await request<OrderResult>(baseUrl, 'GET', `/api/seckill/orders/${placed.body.uuid}`, { token });
    if (res.status === 200 && res.body.status === 'SUCCESS' && res.body.orderNo) return { uuid: placed.body.uuid, orderNo: res.body.orderNo };
    if (res.status === 200 && res.body.status === 'FAIL') throw new Error(`the fixture order failed: ${JSON.stringify(res.body)}`);
    await delay(100);
  }
  throw new Error(`the fixture order ${placed.body.uuid} had no outcome within ${timeoutMs} ms`);
}
