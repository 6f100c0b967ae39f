import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { loadConfig } from '@seckill/config';
import { MESSAGE_VERSION, type OrderStatusMessage, type PaymentWindowMessage } from '@seckill/contracts';
import { Exchange, paymentWindowQueue, RoutingKey, type ConfirmedPublisher, type StockBroadcast } from '@seckill/messaging';
import { OrderLifecycleService } from '@seckill/order-lifecycle';
import type { OrderRepository } from '@seckill/persistence';
import type { StockService } from '@seckill/stock';
import { asReal, deliveryOf, FakeOrders, FakePublisher, FakeStock, FakeStockBroadcast, recordingLogger } from '@seckill/testing';
import { PaymentTimeoutHandler } from './payment-timeout.handler';

const ITEM = 2;

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
  await stock.load(ITEM, 1, []);
  /** A created order whose window just expired, and the message the payment-window queue dead-letters for it. */
  async function expired(userId: number, payDeadline = new Date(Date.now() - 1)): Promise<PaymentWindowMessage> {
    const uuid = randomUUID();
    await stock.reserve(ITEM, userId, uuid);
    const order = orders.add({ userId, seckillGoodId: ITEM, uuid, payDeadline });
    return { version: MESSAGE_VERSION, uuid, orderNo: order.orderNo, userId, seckillGoodId: ITEM };
  }
  const statuses = () => (publisher.to(Exchange.RESULT, RoutingKey.ORDER_STATUS) as OrderStatusMessage[]).map((m) => m.status);
  return { orders, stock, broadcast, publisher, handler, lines, expired, statuses };
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
    assert.deepEqual(w.publisher.to(Exchange.PAYMENT, paymentWindowQueue(15).routingKey), [message], 'the window starts again');
  });
});
