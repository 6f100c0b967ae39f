import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { ErrorCode, type OrderFrame } from '@seckill/contracts';
import type { OrderRepository, OrderRequestRepository } from '@seckill/persistence';
import type { StockService } from '@seckill/stock';
import { asReal, FakeOrderRequests, FakeOrders, FakeStock, domainRefusal } from '@seckill/testing';
import { OrderResultsService } from './order-results.service';

const ITEM = 3;
const pgAway = () => new Error('Connection terminated unexpectedly');

function world() {
  const requests = new FakeOrderRequests();
  const orders = new FakeOrders();
  const stock = new FakeStock();
  const service = new OrderResultsService(asReal<OrderRequestRepository>(requests), asReal<OrderRepository>(orders), asReal<StockService>(stock));
  /** A request order-api reserved and queued for `userId`, as Redis records it. */
  async function queued(userId: number): Promise<string> {
    const uuid = randomUUID();
    if (!stock.counters.has(ITEM)) await stock.load(ITEM, 100, []);
    await stock.reserve(ITEM, userId, uuid);
    await stock.markQueued(ITEM, userId, uuid);
    return uuid;
  }
  /** The notifier's copy of a decided outcome (what it stores for late sockets). */
  const storeFrame = (uuid: string, userId: number, frame: OrderFrame) => stock.stored.set(uuid, { userId, result: JSON.stringify(frame) });
  return { requests, orders, stock, service, queued, storeFrame };
}

const refusal = domainRefusal;

describe('OrderResultsService.result', () => {
  it('answers a decided request from PostgreSQL: the order number of a success, the reason of a failure', async () => {
    const w = world();
    const won = await w.queued(7);
    const lost = await w.queued(8);
    w.requests.recorded.set(won, { uuid: won, userId: 7, seckillGoodId: ITEM, status: 'SUCCESS', orderNo: '20261201000000000001' });
    w.requests.recorded.set(lost, { uuid: lost, userId: 8, seckillGoodId: ITEM, status: 'FAIL', reason: 'SOLD_OUT' });
    assert.deepEqual(await w.service.result(7, won), { uuid: won, seckillGoodId: ITEM, status: 'SUCCESS', orderNo: '20261201000000000001' });
    assert.deepEqual(await w.service.result(8, lost), { uuid: lost, seckillGoodId: ITEM, status: 'FAIL', reason: 'SOLD_OUT' });
  });

  it('answers another user\'s uuid exactly like an unknown one, decided or still queued', async () => {
    const w = world();
    const decided = await w.queued(7);
    w.requests.recorded.set(decided, { uuid: decided, userId: 7, seckillGoodId: ITEM, status: 'SUCCESS', orderNo: '1' });
    const pending = await w.queued(7);
    const unknown = await refusal(w.service.result(8, randomUUID()));
    assert.equal(unknown.code, ErrorCode.REQUEST_NOT_FOUND);
    for (const uuid of [decided, pending]) {
      const foreign = await refusal(w.service.result(8, uuid));
      assert.deepEqual([foreign.code, foreign.message], [unknown.code, unknown.message]);
    }
  });

  it('answers QUEUED while the worker has not decided and Redis knows the request', async () => {
    const w = world();
    const uuid = await w.queued(7);
    assert.deepEqual(await w.service.result(7, uuid), { uuid, seckillGoodId: ITEM, status: 'QUEUED' });
    await w.stock.claim([{ itemId: ITEM, uuid }]);
    assert.equal((await w.service.result(7, uuid)).status, 'QUEUED', 'claimed by the worker, not recorded yet');
  });

  it('answers 404 for a request order-api abandoned (its publish was never confirmed; the shopper was told 503)', async () => {
    const w = world();
    const uuid = randomUUID();
    await w.stock.load(ITEM, 1, []);
    await w.stock.reserve(ITEM, 7, uuid);
    await w.stock.abandon(ITEM, 7, uuid);
    assert.equal((await refusal(w.service.result(7, uuid))).code, ErrorCode.REQUEST_NOT_FOUND);
  });

  it('answers 503 instead of 404 for an unknown uuid while Redis recovers from a lost state (it may still be queued)', async () => {
    const w = world();
    const known = await w.queued(7);
    w.stock.fences.set(ITEM, Date.now());
    assert.equal((await refusal(w.service.result(7, randomUUID()))).code, ErrorCode.TRY_AGAIN);
    assert.equal((await w.service.result(7, known)).status, 'QUEUED', 'a request Redis still knows is answered');
  });

  it('while PostgreSQL is away: the notifier\'s stored copy, else QUEUED from Redis, else the fault again', async () => {
    const w = world();
    const won = await w.queued(7);
    const lost = await w.queued(8);
    const waiting = await w.queued(9);
    w.storeFrame(won, 7, { type: 'order.result', uuid: won, status: 'SUCCESS', orderNo: '20261201000000000042' });
    w.storeFrame(lost, 8, { type: 'order.result', uuid: lost, status: 'FAIL', reason: 'ALREADY_ORDERED' });

    w.requests.failNext(pgAway(), 3);
    assert.deepEqual(await w.service.result(7, won), { uuid: won, seckillGoodId: ITEM, status: 'SUCCESS', orderNo: '20261201000000000042' });
    assert.deepEqual(await w.service.result(8, lost), { uuid: lost, seckillGoodId: ITEM, status: 'FAIL', reason: 'ALREADY_ORDERED' });
    assert.deepEqual(await w.service.result(9, waiting), { uuid: waiting, seckillGoodId: ITEM, status: 'QUEUED' });

    // Decided and released in Redis (its unit went back), with no stored copy: only PostgreSQL knows the answer.
    await w.stock.release(ITEM, 9, waiting);
    for (const [userId, uuid] of [[9, waiting], [7, randomUUID()]] as const) {
      const fault = pgAway();
      w.requests.failNext(fault);
      await assert.rejects(w.service.result(userId, uuid), fault);
    }
  });

  it('while PostgreSQL is away, serves neither another user\'s stored copy nor their queued request', async () => {
    const w = world();
    const uuid = await w.queued(7);
    w.storeFrame(uuid, 7, { type: 'order.result', uuid, status: 'SUCCESS', orderNo: '1' });
    const fault = pgAway();
    w.requests.failNext(fault);
    await assert.rejects(w.service.result(8, uuid), fault);
  });

  it('rethrows an error that is not a dependency fault without asking Redis', async () => {
    const w = world();
    const uuid = await w.queued(7);
    const bug = new Error('relation "order_requests" does not exist');
    w.requests.failNext(bug);
    w.stock.failNext(new Error('Redis was asked'));
    await assert.rejects(w.service.result(7, uuid), bug);
  });
});

describe('OrderResultsService.myOrders', () => {
  it('lists only the caller\'s orders, newest first, as the API shows them', async () => {
    const w = world();
    w.orders.add({ userId: 7, seckillGoodId: ITEM, createdAt: new Date(Date.now() - 1000), amount: '9.9' });
    const newer = w.orders.add({ userId: 7, seckillGoodId: ITEM + 1 });
    w.orders.add({ userId: 8, seckillGoodId: ITEM });
    const mine = await w.service.myOrders(7);
    assert.deepEqual(mine.map((o) => o.orderNo)[0], newer.orderNo);
    assert.deepEqual(mine.map((o) => [o.seckillGoodId, o.status]), [[ITEM + 1, 'UNPAID'], [ITEM, 'UNPAID']]);
    assert.equal(mine[1]?.amount, '9.90');
  });
});
