import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { OrderView } from '@seckill/contracts';
import { mintToken, request, seedSale, seedShoppers, sql, startProduct, TEST_JWT_SECRET, type Product } from '@seckill/testing';

/**
 * Every order route with real processes, from both sides: the owner's retried pay and cancel (a double submit, a
 * retry after an answer that never arrived) answer 200 with the same body, and shopper B gets for A's order
 * exactly what an unknown one gets (contract: 404, so order numbers and request ids cannot be probed), changing
 * nothing. The payment window is far longer than the suite, so no order expires under it.
 */
const EVENT_TIMEOUT_MS = 60_000;

let product: Product;
let api: string;

before(async () => {
  product = await startProduct('e2e-owner', { instances: { 'websocket-notifier': 1 }, vars: { PAYMENT_WINDOW_SECONDS: '600' } });
  api = product.api.url;
});

after(() => product?.stop());

interface ErrorBody {
  code: string;
  statusCode: number;
}

async function shopper(label: string): Promise<string> {
  const [user] = await seedShoppers(product.env.databaseUrl, 1, `${label}-${randomUUID().slice(0, 8)}`);
  return mintToken(TEST_JWT_SECRET, user!);
}

/** One order of `token` for a new item, decided SUCCESS. */
async function bought(token: string, requestId = randomUUID()): Promise<{ uuid: string; orderNo: string; itemId: number }> {
  const itemId = await seedSale(product.env.databaseUrl, { stock: 2 });
  const placed = await request<{ uuid: string }>(api, 'POST', '/api/seckill/orders', { token, json: { seckillGoodId: itemId, requestId } });
  assert.equal(placed.status, 202, JSON.stringify(placed.body));
  await product.results.waitForAll([placed.body.uuid], EVENT_TIMEOUT_MS);
  const result = product.results.results.get(placed.body.uuid)!;
  assert.equal(result.status, 'SUCCESS');
  return { uuid: placed.body.uuid, orderNo: result.orderNo!, itemId };
}

async function orderRow(orderNo: string): Promise<{ status: string; pushes: number }> {
  const [row] = await sql<{ status: string; pushes: string }>(
    product.env.databaseUrl,
    `SELECT status, (SELECT count(*) FROM order_status_outbox x WHERE x.order_no = o.order_no) AS pushes FROM orders o WHERE order_no = $1`,
    [orderNo],
  );
  return { status: row!.status, pushes: Number(row!.pushes) };
}

const pay = (token: string, orderNo: string) => request<OrderView>(api, 'POST', `/api/orders/${orderNo}/pay`, { token });
const cancel = (token: string, orderNo: string) => request<OrderView>(api, 'POST', `/api/orders/${orderNo}/cancel`, { token });

describe('pay and cancel retried by their owner', () => {
  it('a double-submitted pay, and its retry after a lost answer, answer 200 with the same body; the order is paid once and its push confirmed', async () => {
    const a = await shopper('payer');
    const order = await bought(a);
    const [first, second] = await Promise.all([pay(a, order.orderNo), pay(a, order.orderNo)]);
    assert.deepEqual([first.status, second.status], [200, 200], JSON.stringify([first.body, second.body]));
    assert.equal(first.body.status, 'PAID');
    assert.deepEqual(second.body, first.body);
    const retried = await pay(a, order.orderNo);
    assert.deepEqual([retried.status, retried.body], [200, first.body]);
    assert.deepEqual(await orderRow(order.orderNo), { status: 'PAID', pushes: 0 }, 'the push was confirmed before the answer');
    await product.results.waitFor(() => product.results.statusesOf(order.uuid).includes('PAID'), EVENT_TIMEOUT_MS, 'the PAID push');

    const refused = await cancel(a, order.orderNo);
    assert.deepEqual([refused.status, (refused.body as unknown as ErrorBody).code], [409, 'ORDER_NOT_CANCELLABLE']);
  });

  it('a double-submitted cancel, and its retry, answer 200 with the same body; one unit back; paying it after stays 409', async () => {
    const a = await shopper('canceller');
    const order = await bought(a);
    const [first, second] = await Promise.all([cancel(a, order.orderNo), cancel(a, order.orderNo)]);
    assert.deepEqual([first.status, second.status], [200, 200], JSON.stringify([first.body, second.body]));
    assert.equal(first.body.status, 'CANCELLED');
    assert.deepEqual(second.body, first.body);
    assert.deepEqual((await cancel(a, order.orderNo)).body, first.body);
    const [item] = await sql<{ stock_left: number }>(product.env.databaseUrl, `SELECT stock_left FROM seckill_goods WHERE id = $1`, [order.itemId]);
    assert.equal(item!.stock_left, 2, 'the unit came back once');
    assert.deepEqual(await orderRow(order.orderNo), { status: 'CANCELLED', pushes: 0 });

    const refused = await pay(a, order.orderNo);
    assert.deepEqual([refused.status, (refused.body as unknown as ErrorBody).code], [409, 'ORDER_NOT_PAYABLE']);
  });
});

describe("shopper B and shopper A's order", () => {
  it('every order route answers B as for an order that does not exist, and A\'s order is untouched', async () => {
    const a = await shopper('owner-a');
    const b = await shopper('other-b');
    const requestId = randomUUID();

    // Before A's order exists: B polling A's future request id learns nothing.
    const early = await request<ErrorBody>(api, 'GET', `/api/seckill/orders/${requestId}`, { token: b });
    assert.deepEqual([early.status, early.body.code], [404, 'REQUEST_NOT_FOUND']);

    const order = await bought(a, requestId);
    const unknownUuid = randomUUID();
    const unknownNo = '20260101999999999';
    const cases: { route: string; asB: () => Promise<{ status: number; body: unknown }>; unknown: () => Promise<{ status: number; body: unknown }>; code: string }[] = [
      { route: 'GET /api/seckill/orders/:uuid', asB: () => request(api, 'GET', `/api/seckill/orders/${order.uuid}`, { token: b }), unknown: () => request(api, 'GET', `/api/seckill/orders/${unknownUuid}`, { token: b }), code: 'REQUEST_NOT_FOUND' },
      { route: 'POST /api/orders/:orderNo/pay', asB: () => pay(b, order.orderNo), unknown: () => pay(b, unknownNo), code: 'ORDER_NOT_FOUND' },
      { route: 'POST /api/orders/:orderNo/cancel', asB: () => cancel(b, order.orderNo), unknown: () => cancel(b, unknownNo), code: 'ORDER_NOT_FOUND' },
    ];
    for (const c of cases) {
      const [asB, unknown] = [await c.asB(), await c.unknown()];
      assert.deepEqual([asB.status, (asB.body as ErrorBody).code], [404, c.code], c.route);
      assert.deepEqual(asB.body, unknown.body, `${c.route}: the same answer as for an unknown one`);
    }
    const bList = await request<OrderView[]>(api, 'GET', '/api/orders', { token: b });
    assert.deepEqual([bList.status, bList.body], [200, []], "GET /api/orders: B's list holds none of A's orders");

    assert.deepEqual(await orderRow(order.orderNo), { status: 'UNPAID', pushes: 0 }, 'nothing changed, nothing pushed');
    const aPoll = await request<{ status: string; orderNo: string }>(api, 'GET', `/api/seckill/orders/${order.uuid}`, { token: a });
    assert.deepEqual([aPoll.status, aPoll.body.status, aPoll.body.orderNo], [200, 'SUCCESS', order.orderNo]);
    const aList = await request<OrderView[]>(api, 'GET', '/api/orders', { token: a });
    assert.deepEqual(aList.body.map((o) => [o.orderNo, o.status]), [[order.orderNo, 'UNPAID']]);
    // A can still do everything B could not.
    assert.equal((await pay(a, order.orderNo)).status, 200);
    assert.deepEqual(product.results.statusesOf(order.uuid).filter((s) => s !== 'PAID'), [], 'no status but the owner\'s own');
  });
});
