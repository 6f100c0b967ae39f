import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { ErrorCode, type OrderStatusMessage } from '@seckill/contracts';
import { Exchange, RoutingKey, type ConfirmedPublisher, type StockBroadcast } from '@seckill/messaging';
import type { OrderRecord, OrderRepository } from '@seckill/persistence';
import type { StockService } from '@seckill/stock';
import { asReal, FakeOrders, FakePublisher, FakeStock, FakeStockBroadcast, recordingLogger, domainRefusal } from '@seckill/testing';
import { OrderLifecycleService } from './order-lifecycle.service';

const ITEM = 1;

/** The lifecycle over fake repositories and the stock scripts' rules: PostgreSQL's stock_left is counted apart. */
/** An order whose payment deadline has passed: what a payment-window timeout is for. */
const EXPIRED = { payDeadline: new Date(Date.now() - 1) };

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
    await stock.claim([{ itemId: ITEM, uuid }]);
    return orders.add({ userId, seckillGoodId: ITEM, uuid, ...order });
  }

  const statuses = () => (publisher.to(Exchange.RESULT, RoutingKey.ORDER_STATUS) as OrderStatusMessage[]).map((m) => [m.uuid, m.orderNo, m.status, m.userId]);
  const left = async () => (await stock.stockLeft([ITEM]))[0];
  return { orders, stock, publisher, broadcast, service, sold, statuses, left, pgStockLeft };
}

const refusal = async (p: Promise<unknown>): Promise<string> => (await domainRefusal(p)).code;

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

  it('answers a second pay (a retry after a lost answer) with the same body, and pays and pushes once', async () => {
    const w = await world();
    const order = await w.sold(7);
    const first = await w.service.pay(7, order.orderNo);
    const again = await w.service.pay(7, order.orderNo);
    assert.deepEqual(again, first);
    assert.equal(w.statuses().length, 1);
    assert.equal(w.orders.outbox.size, 0, 'the push was confirmed: nothing left for the relay');
  });

  it('answers concurrent pays of one order (a double submit) with the same body', async () => {
    const w = await world();
    const order = await w.sold(7);
    const views = await Promise.all(Array.from({ length: 5 }, () => w.service.pay(7, order.orderNo)));
    assert.deepEqual(new Set(views.map((v) => JSON.stringify(v))).size, 1);
    assert.equal(views[0]?.status, 'PAID');
    assert.equal(w.statuses().length, 1);
  });

  it('still refuses to pay a cancelled or timed-out order', async () => {
    const w = await world();
    const cancelled = await w.sold(7);
    await w.service.cancel(7, cancelled.orderNo);
    assert.equal(await refusal(w.service.pay(7, cancelled.orderNo)), ErrorCode.ORDER_NOT_PAYABLE);
    const timedOut = await w.sold(8, EXPIRED);
    await w.service.timeout(timedOut.orderNo);
    assert.equal(await refusal(w.service.pay(8, timedOut.orderNo)), ErrorCode.ORDER_NOT_PAYABLE);
  });

  it('answers the committed payment when the push fails after the commit, and the relay delivers it later', async () => {
    const w = await world();
    const order = await w.sold(7);
    w.publisher.failNext(new Error('publish to seckill.order.result/order.status not confirmed in time'));
    const view = await w.service.pay(7, order.orderNo);
    assert.equal(view.status, 'PAID');
    assert.deepEqual(view, await w.service.pay(7, order.orderNo), 'what a retry answers');
    assert.deepEqual(w.statuses(), [], 'not pushed yet');
    assert.equal(w.orders.outbox.size, 1, 'the push waits in the outbox');
    assert.equal(await w.service.relayPushes(0), 1);
    assert.deepEqual(w.statuses(), [[order.uuid, order.orderNo, 'PAID', 7]]);
    assert.equal(w.orders.outbox.size, 0);
    assert.equal(await w.service.relayPushes(0), 0, 'sent once');
  });

  it('answers the committed payment when PostgreSQL fails after the commit (no read after the change)', async () => {
    const w = await world();
    const order = await w.sold(7);
    const pay = w.orders.pay.bind(w.orders);
    w.orders.pay = async (...args) => {
      const paid = await pay(...args);
      w.orders.failNext(new Error('Connection terminated unexpectedly'));
      return paid;
    };
    const view = await w.service.pay(7, order.orderNo);
    assert.equal(view.status, 'PAID');
    assert.deepEqual(w.statuses(), [[order.uuid, order.orderNo, 'PAID', 7]], 'pushed; only marking it sent failed');
    assert.equal(w.orders.outbox.size, 1, 'still in the outbox: the relay sends it once more, which is harmless');
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

  it('answers a second cancel with the same body, and returns the unit and pushes once', async () => {
    const w = await world();
    const order = await w.sold(7);
    const first = await w.service.cancel(7, order.orderNo);
    assert.deepEqual(await w.service.cancel(7, order.orderNo), first);
    assert.equal(await w.left(), 5);
    assert.equal(w.pgStockLeft.get(ITEM), 1);
    assert.equal(w.broadcast.sent.length, 1);
    assert.equal(w.statuses().length, 1);
  });

  it('refuses to cancel a timed-out order', async () => {
    const w = await world();
    const order = await w.sold(7, EXPIRED);
    await w.service.timeout(order.orderNo);
    assert.equal(await refusal(w.service.cancel(7, order.orderNo)), ErrorCode.ORDER_NOT_CANCELLABLE);
  });

  it('answers the committed cancel when Redis and the broker fail after the commit; reconciliation and the relay follow', async () => {
    const w = await world();
    const order = await w.sold(7);
    w.stock.failNext(new Error('Connection is closed.'));
    w.publisher.failNext(new Error('Channel closed'));
    const view = await w.service.cancel(7, order.orderNo);
    assert.equal(view.status, 'CANCELLED');
    assert.equal(w.pgStockLeft.get(ITEM), 1, 'committed: the unit is back in PostgreSQL');
    assert.deepEqual(w.statuses(), []);
    assert.equal(await w.service.relayPushes(0), 1);
    assert.deepEqual(w.statuses(), [[order.uuid, order.orderNo, 'CANCELLED', 7]]);
  });

  it('leaves pushes younger than the relay\'s delay to the process that committed them, and keeps them when the broker is away', async () => {
    const w = await world();
    const order = await w.sold(7);
    w.publisher.failNext(new Error('Channel closed'));
    await w.service.pay(7, order.orderNo);
    assert.equal(await w.service.relayPushes(60_000), 0);
    const away = new Error('Channel closed');
    w.publisher.failNext(away);
    await assert.rejects(w.service.relayPushes(0), away);
    assert.equal(w.orders.outbox.size, 1, 'kept for the next pass');
    assert.equal(await w.service.relayPushes(0), 1);
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
    const order = await w.sold(7, EXPIRED);
    assert.equal(await w.service.timeout(order.orderNo), 'timed-out');
    assert.equal(w.orders.orders.get(order.orderNo)?.status, 'TIMEOUT');
    assert.equal(w.pgStockLeft.get(ITEM), 1);
    assert.equal(await w.left(), 5);
    assert.deepEqual(w.broadcast.sent, [{ itemId: ITEM, reason: 'timeout', uuid: order.uuid }]);
    assert.deepEqual(w.statuses(), [[order.uuid, order.orderNo, 'TIMEOUT', 7]]);
  });

  it('repeats the follow-up steps on a redelivered timeout when the first attempt died after the commit, returning one unit only', async () => {
    const w = await world();
    const order = await w.sold(7, EXPIRED);
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
    assert.deepEqual(w.statuses(), [[order.uuid, order.orderNo, 'TIMEOUT', 7]], 'the committed change is pushed all the same');

    assert.equal(await w.service.timeout(order.orderNo), 'left-alone');
    assert.equal(await w.left(), 5);
    assert.deepEqual(w.broadcast.sent, [{ itemId: ITEM, reason: 'timeout', uuid: order.uuid }]);

    // Another redelivery: the steps run again (each is idempotent), the unit does not come back twice.
    assert.equal(await w.service.timeout(order.orderNo), 'left-alone');
    assert.equal(await w.left(), 5);
    assert.equal(w.pgStockLeft.get(ITEM), 1);
    assert.equal(w.statuses().length, 1, 'one push per change: the redeliveries push nothing');
  });

  it('leaves a paid order alone, and a cancelled one (its unit came back once, at the cancel)', async () => {
    const w = await world();
    const paid = await w.sold(7);
    const cancelled = await w.sold(8, EXPIRED);
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
