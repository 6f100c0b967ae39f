import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { loadConfig } from '@seckill/config';
import { MESSAGE_VERSION, type OrderStatusMessage, type PaymentWindowBatchMessage, type PaymentWindowMessage, type WindowOrder } from '@seckill/contracts';
import { Exchange, paymentWindowQueue, RoutingKey, type ConfirmedPublisher, type StockBroadcast } from '@seckill/messaging';
import { OrderLifecycleService } from '@seckill/order-lifecycle';
import type { OrderRepository } from '@seckill/persistence';
import type { StockService } from '@seckill/stock';
import { asReal, deliveryOf, FakeOrders, FakePublisher, FakeStock, FakeStockBroadcast, recordingLogger } from '@seckill/testing';
import { PaymentTimeoutHandler } from './payment-timeout.handler';

const ITEM = 2;

const orderOf = (m: PaymentWindowMessage): WindowOrder => ({ uuid: m.uuid, orderNo: m.orderNo, userId: m.userId, seckillGoodId: m.seckillGoodId });

/** The handler with the real lifecycle service over fakes. */
async function world() {
  const orders = new FakeOrders();
  const stock = new FakeStock();
  const publisher = new FakePublisher();
  const broadcast = new FakeStockBroadcast();
  const { logger, lines } = recordingLogger();
  const lifecycle = new OrderLifecycleService(asReal<OrderRepository>(orders), asReal<StockService>(stock), asReal<ConfirmedPublisher>(publisher), asReal<StockBroadcast>(broadcast), logger);
  const config = loadConfig({ PAYMENT_WINDOW_SECONDS: '15' });
  const handler = new PaymentTimeoutHandler(lifecycle, asReal<ConfirmedPublisher>(publisher), logger, config);
  await stock.load(ITEM, 0, []);
  /**
   * A created order (its unit reserved in Redis) whose deadline has passed unless told otherwise, and the
   * single-order message of earlier releases the payment-window queue dead-letters for it.
   */
  async function expired(userId: number, payDeadline = new Date(Date.now() - 1)): Promise<PaymentWindowMessage> {
    const uuid = randomUUID();
    await stock.add(ITEM, 1);
    await stock.reserve(ITEM, userId, uuid);
    const order = orders.add({ userId, seckillGoodId: ITEM, uuid, payDeadline });
    return { version: MESSAGE_VERSION, uuid, orderNo: order.orderNo, userId, seckillGoodId: ITEM };
  }
  /** The message of one decided batch, as order-worker publishes it now. */
  const batchOf = (...windows: PaymentWindowMessage[]): PaymentWindowBatchMessage => ({ version: MESSAGE_VERSION, orders: windows.map(orderOf) });
  const statuses = () => (publisher.to(Exchange.RESULT, RoutingKey.ORDER_STATUS) as OrderStatusMessage[]).map((m) => m.status);
  const statusesOf = (uuid: string) => (publisher.to(Exchange.RESULT, RoutingKey.ORDER_STATUS) as OrderStatusMessage[]).filter((m) => m.uuid === uuid).map((m) => m.status);
  const status = (m: PaymentWindowMessage) => orders.orders.get(m.orderNo)?.status;
  const rearmed = () => publisher.to(Exchange.PAYMENT, paymentWindowQueue(15).routingKey);
  return { orders, stock, broadcast, publisher, handler, lines, expired, batchOf, statuses, statusesOf, status, rearmed };
}

describe('PaymentTimeoutHandler', () => {
  it('times out an unpaid order: TIMEOUT, unit back on sale, the shopper told', async () => {
    const w = await world();
    const message = await w.expired(7);
    assert.equal(await w.handler.handle(deliveryOf(message)), 'ack');
    assert.equal(w.orders.orders.get(message.orderNo)?.status, 'TIMEOUT');
    assert.deepEqual(await w.stock.stockLeft([ITEM]), [1]);
    assert.deepEqual(w.broadcast.sent, [{ itemId: ITEM, reason: 'timeout', uuid: message.uuid }]);
    assert.deepEqual(w.statuses(), ['TIMEOUT']);
    assert.equal(w.lines.some((l) => l.msg === 'payment window expired' && (l.obj as { outcome?: string }).outcome === 'timed-out'), true);
  });

  it('acks the expiry of a paid order and leaves it paid', async () => {
    const w = await world();
    const message = await w.expired(7);
    w.orders.orders.get(message.orderNo)!.status = 'PAID';
    assert.equal(await w.handler.handle(deliveryOf(message)), 'ack');
    assert.equal(w.orders.orders.get(message.orderNo)?.status, 'PAID');
    assert.deepEqual(await w.stock.stockLeft([ITEM]), [0]);
    assert.deepEqual(w.broadcast.sent, []);
  });

  it('parks a message that is not a payment window', async () => {
    const w = await world();
    const message = await w.expired(7);
    assert.equal(await w.handler.handle(deliveryOf({ ...message, orderNo: 42 })), 'park');
    assert.equal(await w.handler.handle(deliveryOf('{')), 'park');
    assert.equal(w.orders.orders.get(message.orderNo)?.status, 'UNPAID');
  });

  it('lets a PostgreSQL fault through so the consumer retries it, and the retry closes the order', async () => {
    const w = await world();
    const message = await w.expired(7);
    const fault = new Error('Connection terminated unexpectedly');
    w.orders.failNext(fault);
    await assert.rejects(w.handler.handle(deliveryOf(message)), fault);
    assert.equal(w.orders.orders.get(message.orderNo)?.status, 'UNPAID');
    assert.equal(await w.handler.handle(deliveryOf(message)), 'ack');
    assert.equal(w.orders.orders.get(message.orderNo)?.status, 'TIMEOUT');
  });

  it('leaves an order payable until its own deadline, and starts its window again', async () => {
    // A replay by a worker configured with a shorter window than the one the order was created with.
    const w = await world();
    const message = await w.expired(7, new Date(Date.now() + 600_000));
    assert.equal(await w.handler.handle(deliveryOf(message)), 'ack');
    assert.equal(w.orders.orders.get(message.orderNo)?.status, 'UNPAID');
    assert.deepEqual(await w.stock.stockLeft([ITEM]), [0], 'no unit back');
    assert.deepEqual(w.statuses(), []);
    assert.deepEqual(w.rearmed(), [{ version: MESSAGE_VERSION, orders: [orderOf(message)] }], 'the window starts again');
  });
});

describe('PaymentTimeoutHandler, a window of a whole batch', () => {
  it('closes the unpaid orders, leaves the paid and cancelled ones, and re-arms only the not-yet-due ones together', async () => {
    const w = await world();
    const unpaid = [await w.expired(1), await w.expired(2)];
    const paid = await w.expired(3);
    const cancelled = await w.expired(4);
    const notDue = [await w.expired(5, new Date(Date.now() + 600_000)), await w.expired(6, new Date(Date.now() + 600_000))];
    w.orders.orders.get(paid.orderNo)!.status = 'PAID';
    w.orders.orders.get(cancelled.orderNo)!.status = 'CANCELLED';
    const stockBefore = (await w.stock.stockLeft([ITEM]))[0]!;

    assert.equal(await w.handler.handle(deliveryOf(w.batchOf(unpaid[0]!, paid, notDue[0]!, cancelled, unpaid[1]!, notDue[1]!))), 'ack');

    assert.deepEqual([...unpaid, paid, cancelled, ...notDue].map(w.status), ['TIMEOUT', 'TIMEOUT', 'PAID', 'CANCELLED', 'UNPAID', 'UNPAID']);
    assert.deepEqual(await w.stock.stockLeft([ITEM]), [stockBefore + 2], 'one unit back per timed-out order');
    assert.deepEqual(w.broadcast.sent, unpaid.map((m) => ({ itemId: ITEM, reason: 'timeout', uuid: m.uuid })));
    assert.deepEqual(w.statuses(), ['TIMEOUT', 'TIMEOUT']);
    assert.deepEqual(w.rearmed(), [{ version: MESSAGE_VERSION, orders: notDue.map(orderOf) }], 'one window for the orders still payable');
    // Every order of the batch has its own line, by uuid.
    const outcomes = new Map(w.lines.filter((l) => l.msg === 'payment window expired').map((l) => { const o = l.obj as { uuid: string; outcome: string }; return [o.uuid, o.outcome]; }));
    assert.deepEqual(
      [...unpaid, paid, cancelled, ...notDue].map((m) => outcomes.get(m.uuid)),
      ['timed-out', 'timed-out', 'left-alone', 'left-alone', 'not-due', 'not-due'],
    );
  });

  it('after a Redis fault mid-batch (the second order committed, its unit not yet back), the retry closes each order exactly once and returns each unit once', async () => {
    const w = await world();
    const orders = [await w.expired(1), await w.expired(2), await w.expired(3)];
    const stockBefore = (await w.stock.stockLeft([ITEM]))[0]!;
    const release = w.stock.release.bind(w.stock);
    let faulted = false;
    w.stock.release = async (itemId, userId, uuid, returnUnit) => {
      if (uuid === orders[1]!.uuid && !faulted) {
        faulted = true;
        throw new Error('Connection is closed.');
      }
      return release(itemId, userId, uuid, returnUnit);
    };
    const message = deliveryOf(w.batchOf(...orders));

    await assert.rejects(w.handler.handle(message), /Connection is closed/);
    assert.deepEqual(orders.map(w.status), ['TIMEOUT', 'TIMEOUT', 'UNPAID'], 'stopped at the outage: the third waits for the retry');
    assert.deepEqual(await w.stock.stockLeft([ITEM]), [stockBefore + 1], "the second order's unit not back yet");

    assert.equal(await w.handler.handle(message), 'ack');
    assert.deepEqual(orders.map(w.status), ['TIMEOUT', 'TIMEOUT', 'TIMEOUT']);
    assert.deepEqual(await w.stock.stockLeft([ITEM]), [stockBefore + 3], 'one unit back per order, none twice');
    for (const m of orders) assert.deepEqual(w.statusesOf(m.uuid), ['TIMEOUT'], 'each shopper told once');
    assert.deepEqual(w.rearmed(), []);

    // Redelivered once more (an ack lost): nothing changes.
    assert.equal(await w.handler.handle(message), 'ack');
    assert.deepEqual(await w.stock.stockLeft([ITEM]), [stockBefore + 3]);
    assert.deepEqual(w.statuses(), ['TIMEOUT', 'TIMEOUT', 'TIMEOUT']);
  });

  it('closes the other orders when one fails for a reason of its own, and throws so the message is tried again for that one', async () => {
    const w = await world();
    const orders = [await w.expired(1), await w.expired(2), await w.expired(3), await w.expired(4, new Date(Date.now() + 600_000))];
    const close = w.orders.close.bind(w.orders);
    let faulted = false;
    w.orders.close = async (orderNo, to, ownerId) => {
      if (orderNo === orders[0]!.orderNo && !faulted) {
        faulted = true;
        throw new TypeError('a bug in this order');
      }
      return close(orderNo, to, ownerId);
    };
    const message = deliveryOf(w.batchOf(...orders));

    await assert.rejects(w.handler.handle(message), /a bug in this order/);
    assert.deepEqual(orders.map(w.status), ['UNPAID', 'TIMEOUT', 'TIMEOUT', 'UNPAID']);
    assert.equal(w.lines.some((l) => l.msg === 'payment window expired, but the order could not be closed' && (l.obj as { uuid?: string }).uuid === orders[0]!.uuid), true);
    assert.deepEqual(w.rearmed(), [{ version: MESSAGE_VERSION, orders: [orderOf(orders[3]!)] }], 're-armed before the throw: the message may end parked');

    assert.equal(await w.handler.handle(message), 'ack');
    assert.deepEqual(orders.map(w.status), ['TIMEOUT', 'TIMEOUT', 'TIMEOUT', 'UNPAID']);
    assert.deepEqual(w.statuses(), ['TIMEOUT', 'TIMEOUT', 'TIMEOUT']);
  });

  it('parks a batch with one malformed order, closing none of it', async () => {
    const w = await world();
    const good = await w.expired(1);
    assert.equal(await w.handler.handle(deliveryOf({ version: MESSAGE_VERSION, orders: [orderOf(good), { ...orderOf(good), orderNo: '' }] })), 'park');
    assert.equal(w.status(good), 'UNPAID');
  });
});
