import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { DomainError, ErrorCode, type OrderStatusMessage } from '@seckill/contracts';
import { Exchange, RoutingKey, type ConfirmedPublisher, type StockBroadcast } from '@seckill/messaging';
import type { OrderRecord, OrderRepository } from '@seckill/persistence';
import type { StockService } from '@seckill/stock';
import { asReal, FakeOrders, FakePublisher, FakeStock, FakeStockBroadcast, recordingLogger } from '@seckill/testing';
import { OrderLifecycleService } from './order-lifecycle.service';

const ITEM = 1;

/** The lifecycle over fake repositories and the stock scripts' rules: PostgreSQL's stock_left is counted apart. */
async function world() {
  const pgStockLeft = new Map<number, number>([[ITEM, 0]]);
  const orders = new FakeOrders((itemId) => pgStockLeft.set(itemId, (pgStockLeft.get(itemId) ?? 0) + 1));
  const stock = new FakeStock();
  const publisher = new FakePublisher();
  const broadcast = new FakeStockBroadcast();
  const { logger } = recordingLogger();
  const service = new OrderLifecycleService(asReal<OrderRepository>(orders), asReal<StockService>(stock), asReal<ConfirmedPublisher>(publisher), asReal<StockBroadcast>(broadcast), logger);
  await stock.load(ITEM, 5, []);

  /** An order as the worker leaves it: its unit reserved and claimed in Redis, the order UNPAID in PostgreSQL. */
  async function sold(userId: number, order: Partial<OrderRecord> = {}): Promise<OrderRecord> {
    const uuid = randomUUID();
    assert.equal((await stock.reserve(ITEM, userId, uuid)).kind, 'RESERVED');
    await stock.claim([uuid]);
    return orders.add({ userId, seckillGoodId: ITEM, uuid, ...order });
  }

  const statuses = () => (publisher.to(Exchange.RESULT, RoutingKey.ORDER_STATUS) as OrderStatusMessage[]).map((m) => [m.uuid, m.orderNo, m.status, m.userId]);
  const left = async () => (await stock.stockLeft([ITEM]))[0];
  return { orders, stock, publisher, broadcast, service, sold, statuses, left, pgStockLeft };
}

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof DomainError) return err.code;
    throw err;
  }
  throw new Error('the transition went through');
}

describe('OrderLifecycleService.pay', () => {
  it('pays an unpaid order before its deadline, tells the shopper, and keeps the unit sold', async () => {
    const w = await world();
    const order = await w.sold(7);
    const view = await w.service.pay(7, order.orderNo);
    assert.equal(view.status, 'PAID');
    assert.equal(typeof view.paidAt, 'string');
    assert.deepEqual(w.statuses(), [[order.uuid, order.orderNo, 'PAID', 7]]);
    assert.equal(w.publisher.published[0]?.meta.uuid, order.uuid, 'the uuid travels in the headers, for the logs');
    assert.equal(await w.left(), 4);
    assert.deepEqual(w.broadcast.sent, []);
  });

  it('refuses to pay twice, and says nothing more to the shopper', async () => {
    const w = await world();
    const order = await w.sold(7);
    await w.service.pay(7, order.orderNo);
    assert.equal(await refusal(w.service.pay(7, order.orderNo)), ErrorCode.ORDER_NOT_PAYABLE);
    assert.equal(w.statuses().length, 1);
  });

  it('refuses to pay after the deadline; the order stays UNPAID for its timeout', async () => {
    const w = await world();
    const order = await w.sold(7, { payDeadline: new Date(Date.now() - 1) });
    assert.equal(await refusal(w.service.pay(7, order.orderNo)), ErrorCode.ORDER_NOT_PAYABLE);
    assert.equal(w.orders.orders.get(order.orderNo)?.status, 'UNPAID');
    assert.deepEqual(w.statuses(), []);
  });

  it('answers another user\'s order exactly like an unknown one, and leaves it alone', async () => {
    const w = await world();
    const order = await w.sold(7);
    assert.equal(await refusal(w.service.pay(8, order.orderNo)), ErrorCode.ORDER_NOT_FOUND);
    assert.equal(await refusal(w.service.pay(8, '20261201999999999999')), ErrorCode.ORDER_NOT_FOUND);
    assert.equal(await refusal(w.service.cancel(8, order.orderNo)), ErrorCode.ORDER_NOT_FOUND);
    assert.equal(w.orders.orders.get(order.orderNo)?.status, 'UNPAID');
    assert.equal(await w.left(), 4);
    assert.deepEqual(w.statuses(), []);
  });
});

describe('OrderLifecycleService.cancel', () => {
  it('cancels an unpaid order: the unit back in PostgreSQL and Redis, every flag cleared, the shopper told', async () => {
    const w = await world();
    const order = await w.sold(7);
    const view = await w.service.cancel(7, order.orderNo);
    assert.equal(view.status, 'CANCELLED');
    assert.equal(typeof view.closedAt, 'string');
    assert.equal(w.pgStockLeft.get(ITEM), 1, 'restocked in the same statement');
    assert.equal(await w.left(), 5, 'the unit is on sale again');
    assert.equal((await w.stock.request(order.uuid))?.state, 'RELEASED');
    assert.deepEqual(w.broadcast.sent, [{ itemId: ITEM, reason: 'cancel', uuid: order.uuid }]);
    assert.deepEqual(w.statuses(), [[order.uuid, order.orderNo, 'CANCELLED', 7]]);
    assert.equal((await w.stock.reserve(ITEM, 7, randomUUID())).kind, 'RESERVED', 'the shopper may order the item again');
  });

  it('refuses to cancel a paid order and returns nothing', async () => {
    const w = await world();
    const order = await w.sold(7);
    await w.service.pay(7, order.orderNo);
    assert.equal(await refusal(w.service.cancel(7, order.orderNo)), ErrorCode.ORDER_NOT_CANCELLABLE);
    assert.equal(w.orders.orders.get(order.orderNo)?.status, 'PAID');
    assert.equal(await w.left(), 4);
    assert.equal(w.pgStockLeft.get(ITEM), 0);
    assert.deepEqual(w.broadcast.sent, []);
  });
});

describe('OrderLifecycleService.timeout', () => {
  it('closes an unpaid order whose window expired: unit back in Redis, "units back" broadcast, order.status published', async () => {
    const w = await world();
    const order = await w.sold(7);
    assert.equal(await w.service.timeout(order.orderNo), 'timed-out');
    assert.equal(w.orders.orders.get(order.orderNo)?.status, 'TIMEOUT');
    assert.equal(w.pgStockLeft.get(ITEM), 1);
    assert.equal(await w.left(), 5);
    assert.deepEqual(w.broadcast.sent, [{ itemId: ITEM, reason: 'timeout', uuid: order.uuid }]);
    assert.deepEqual(w.statuses(), [[order.uuid, order.orderNo, 'TIMEOUT', 7]]);
  });

  it('repeats the follow-up steps on a redelivered timeout when the first attempt died after the commit, returning one unit only', async () => {
    const w = await world();
    const order = await w.sold(7);
    // The close committed, then Redis went away before the unit could go back: the message is redelivered.
    const down = new Error('Connection is closed.');
    const close = w.orders.close.bind(w.orders);
    w.orders.close = async (...args) => {
      const closed = await close(...args);
      w.stock.failNext(down);
      return closed;
    };
    await assert.rejects(w.service.timeout(order.orderNo), down);
    w.orders.close = close;
    assert.equal(w.orders.orders.get(order.orderNo)?.status, 'TIMEOUT');
    assert.equal(await w.left(), 4, 'the unit is not back yet');
    assert.deepEqual(w.statuses(), []);

    assert.equal(await w.service.timeout(order.orderNo), 'left-alone');
    assert.equal(await w.left(), 5);
    assert.deepEqual(w.broadcast.sent, [{ itemId: ITEM, reason: 'timeout', uuid: order.uuid }]);
    assert.deepEqual(w.statuses(), [[order.uuid, order.orderNo, 'TIMEOUT', 7]]);

    // Another redelivery: the steps run again (each is idempotent), the unit does not come back twice.
    assert.equal(await w.service.timeout(order.orderNo), 'left-alone');
    assert.equal(await w.left(), 5);
    assert.equal(w.pgStockLeft.get(ITEM), 1);
    assert.equal(w.statuses().length, 2);
  });

  it('leaves a paid order alone, and a cancelled one (its unit came back once, at the cancel)', async () => {
    const w = await world();
    const paid = await w.sold(7);
    const cancelled = await w.sold(8);
    await w.service.pay(7, paid.orderNo);
    await w.service.cancel(8, cancelled.orderNo);
    const before = { left: await w.left(), statuses: w.statuses().length, broadcasts: w.broadcast.sent.length };
    assert.equal(await w.service.timeout(paid.orderNo), 'left-alone');
    assert.equal(await w.service.timeout(cancelled.orderNo), 'left-alone');
    assert.equal(w.orders.orders.get(paid.orderNo)?.status, 'PAID');
    assert.equal(w.orders.orders.get(cancelled.orderNo)?.status, 'CANCELLED');
    assert.deepEqual({ left: await w.left(), statuses: w.statuses().length, broadcasts: w.broadcast.sent.length }, before);
    assert.equal(w.pgStockLeft.get(ITEM), 1);
  });

  it('leaves an unknown order alone', async () => {
    const w = await world();
    assert.equal(await w.service.timeout('20261201999999999999'), 'left-alone');
    assert.deepEqual(w.statuses(), []);
  });
});
