import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ARTIFACTS, mintToken, request, startProduct, TEST_JWT_SECRET, type Product } from '@seckill/testing';

/**
 * Request logs come from a Fastify hook (RequestLogging), not nestjs-pino's Nest middleware: every route is
 * logged with its request id, and a handler's own lines carry that id, except the order route, which the flood
 * uses and which logs what matters with the uuid.
 */
let product: Product;

interface Line {
  msg?: string;
  reqId?: unknown;
  req?: { method?: string; url?: string };
  res?: { statusCode?: number };
  seckillGoodId?: number;
}

function apiLog(): Line[] {
  const api = product.instances('order-api')[0];
  assert.ok(api);
  return readFileSync(join(ARTIFACTS, 'logs', `${api.label}.log`), 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Line);
}

/** The log is written asynchronously: wait until a line the test caused appears (bounded). */
async function lineFor(predicate: (l: Line) => boolean, timeoutMs = 10_000): Promise<{ line: Line; before: Line[] }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lines = apiLog();
    const at = lines.findIndex(predicate);
    if (at >= 0) return { line: lines[at] as Line, before: lines.slice(0, at) };
    if (Date.now() > deadline) throw new Error('the expected log line never came');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

before(async () => {
  product = await startProduct('request-logging', { instances: { 'order-worker': 0, 'websocket-notifier': 0 }, vars: { LOG_LEVEL: 'debug' } });
});

after(async () => {
  await product?.stop();
});

describe('request logging', () => {
  it('logs every request but the order route, and a handler\'s lines carry the request id', async () => {
    const url = product.instances('order-api')[0]?.url ?? '';
    const admin = mintToken(TEST_JWT_SECRET, { id: 1, username: 'admin', role: 'admin' });
    const now = Date.now();
    const created = await request<{ id: number }>(url, 'POST', '/api/admin/seckill/goods', {
      token: admin,
      json: { name: 'logged', price: '10.00', seckillPrice: '1.00', stock: 1, startTime: new Date(now - 60_000).toISOString(), endTime: new Date(now + 3_600_000).toISOString() },
    });
    assert.equal(created.status, 201);
    // One order through Nest's path (202), one through the fast lane (409 from the sold-out flag the second set).
    const statuses = [];
    for (const id of [424242, 424243, 424244]) {
      const token = mintToken(TEST_JWT_SECRET, { id, username: `logged-shopper-${id}` });
      statuses.push((await request(url, 'POST', '/api/seckill/orders', { token, json: { seckillGoodId: created.body.id } })).status);
    }
    assert.deepEqual(statuses, [202, 409, 409]);
    // A request logged after the order: once its line is there, the order's would be before it.
    assert.equal((await request(url, 'GET', `/api/seckill/goods/${created.body.id}`)).status, 200);

    const done = await lineFor((l) => l.msg === 'request completed' && l.req?.url === `/api/seckill/goods/${created.body.id}`);
    assert.equal(done.line.res?.statusCode, 200);
    assert.notEqual(done.line.reqId, undefined);
    const createdLine = done.before.find((l) => l.msg === 'sale item created and stock loaded into Redis' && l.seckillGoodId === created.body.id);
    const createdRequest = done.before.find((l) => l.msg === 'request completed' && l.req?.method === 'POST' && l.req.url === '/api/admin/seckill/goods');
    assert.ok(createdLine && createdRequest, 'the admin request and its handler line are logged');
    assert.equal(createdLine.reqId, createdRequest.reqId, 'the handler\'s line carries its request\'s id');
    assert.deepEqual(done.before.filter((l) => l.req?.url === '/api/seckill/orders'), [], 'the order route is not logged per request');
  });
});
