import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { MESSAGE_VERSION, type FailReason, type OrderResultMessage } from '@seckill/contracts';
import type { StockBroadcast } from '@seckill/messaging';
import type { StockService } from '@seckill/stock';
import { asReal, deliveryOf, FakeStock, FakeStockBroadcast, recordingLogger } from '@seckill/testing';
import { OrderFailedHandler } from './order-failed.handler';

const ITEM = 4;

async function world() {
  const stock = new FakeStock();
  const broadcast = new FakeStockBroadcast();
  const { logger, lines } = recordingLogger();
  const handler = new OrderFailedHandler(asReal<StockService>(stock), asReal<StockBroadcast>(broadcast), logger);
  await stock.load(ITEM, 1, []);
  /** A request that reserved the item's last unit in Redis, and the outcome the worker published for it. */
  async function failed(userId: number, reason: FailReason): Promise<OrderResultMessage> {
    const uuid = randomUUID();
    assert.equal((await stock.reserve(ITEM, userId, uuid)).kind, 'RESERVED');
    await stock.claim([uuid]);
    return { version: MESSAGE_VERSION, type: 'order.result', uuid, userId, seckillGoodId: ITEM, status: 'FAIL', reason, decidedAt: new Date().toISOString() };
  }
  const left = async () => (await stock.stockLeft([ITEM]))[0];
  return { stock, broadcast, handler, lines, failed, left };
}

describe('OrderFailedHandler', () => {
  for (const reason of ['ALREADY_ORDERED', 'INTERNAL'] as const) {
    it(`gives a ${reason} failure's real unit back and tells every order-api instance`, async () => {
      const w = await world();
      const message = await w.failed(7, reason);
      assert.equal(await w.left(), 0);
      assert.equal(await w.handler.handle(deliveryOf(message)), 'ack');
      assert.equal(await w.left(), 1);
      assert.equal((await w.stock.request(message.uuid))?.state, 'RELEASED');
      assert.equal((await w.stock.reserve(ITEM, 7, randomUUID())).kind, 'RESERVED', 'the shopper is no longer a buyer');
      assert.deepEqual(w.broadcast.sent, [{ itemId: ITEM, reason: 'order.fail', uuid: message.uuid }]);
    });
  }

  it('ends a SOLD_OUT failure\'s phantom reservation without returning a unit or broadcasting', async () => {
    const w = await world();
    const message = await w.failed(7, 'SOLD_OUT');
    assert.equal(await w.handler.handle(deliveryOf(message)), 'ack');
    assert.equal(await w.left(), 0, 'PostgreSQL had no unit for it: nothing to give back');
    assert.equal((await w.stock.request(message.uuid))?.state, 'RELEASED');
    assert.equal((await w.stock.reserve(ITEM, 7, randomUUID())).kind, 'SOLD_OUT', 'the buyer entry is gone, the stock still empty');
    assert.deepEqual(w.broadcast.sent, []);
  });

  it('returns at most one unit on redelivery, but broadcasts again (the first broadcast may have been lost)', async () => {
    const w = await world();
    const message = await w.failed(7, 'INTERNAL');
    await w.handler.handle(deliveryOf(message));
    assert.equal(await w.handler.handle(deliveryOf(message)), 'ack');
    assert.equal(await w.left(), 1);
    assert.equal(w.broadcast.sent.length, 2);
  });

  it('acks a success and touches nothing', async () => {
    const w = await world();
    const message = await w.failed(7, 'INTERNAL');
    const { version, type, uuid, userId, seckillGoodId, decidedAt } = message;
    const success: OrderResultMessage = { version, type, uuid, userId, seckillGoodId, decidedAt, status: 'SUCCESS', orderNo: '20261201000000000001' };
    assert.equal(await w.handler.handle(deliveryOf(success)), 'ack');
    assert.equal(await w.left(), 0);
    assert.deepEqual(w.broadcast.sent, []);
  });

  it('parks what can never be parsed', async () => {
    const w = await world();
    const message = await w.failed(7, 'INTERNAL');
    assert.equal(await w.handler.handle(deliveryOf('not json')), 'park');
    assert.equal(await w.handler.handle(deliveryOf({ ...message, reason: 'BAD_LUCK' })), 'park');
    assert.equal(await w.left(), 0);
    assert.deepEqual(w.broadcast.sent, []);
    assert.equal(w.lines.filter((l) => l.level === 'error' && l.msg === 'unparseable message parked').length, 2);
  });

  it('lets a Redis fault through (the consumer waits the outage out) without broadcasting', async () => {
    const w = await world();
    const message = await w.failed(7, 'INTERNAL');
    const fault = new Error('Connection is closed.');
    w.stock.failNext(fault);
    await assert.rejects(w.handler.handle(deliveryOf(message)), fault);
    assert.deepEqual(w.broadcast.sent, []);
    assert.equal(await w.handler.handle(deliveryOf(message)), 'ack', 'the retry after the outage');
    assert.equal(await w.left(), 1);
  });
});
