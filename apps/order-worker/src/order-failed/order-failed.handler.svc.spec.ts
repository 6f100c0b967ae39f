import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { MESSAGE_VERSION, type FailReason, type OrderResultBatchMessage, type OrderResultMessage } from '@seckill/contracts';
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
  await stock.load(ITEM, 0, []);
  /** A request that reserved the item's last unit in Redis, and the outcome the worker published for it. */
  async function failed(userId: number, reason: FailReason): Promise<OrderResultMessage> {
    const uuid = randomUUID();
    await stock.add(ITEM, 1);
    assert.equal((await stock.reserve(ITEM, userId, uuid)).kind, 'RESERVED');
    await stock.claim([{ itemId: ITEM, uuid }]);
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

  it('settles every failure of a batch message (what the worker publishes): real units back and broadcast, phantoms ended', async () => {
    const w = await world();
    const results = [await w.failed(1, 'ALREADY_ORDERED'), await w.failed(2, 'SOLD_OUT'), await w.failed(3, 'INTERNAL')];
    assert.equal(await w.handler.handle(deliveryOf(batchOf(results))), 'ack');
    assert.equal(await w.left(), 2, 'two real units back, none for the SOLD_OUT');
    for (const r of results) assert.equal((await w.stock.request(r.uuid))?.state, 'RELEASED');
    assert.deepEqual(w.broadcast.sent, [results[0], results[2]].map((r) => ({ itemId: ITEM, reason: 'order.fail', uuid: r!.uuid })));
    assert.deepEqual(
      w.lines.filter((l) => l.msg?.startsWith('failed order:')).map((l) => (l.obj as { uuid: string }).uuid).sort(),
      results.map((r) => r.uuid).sort(),
      'one line per uuid',
    );
  });

  it('after a Redis fault part-way through a batch, the retry returns each real unit exactly once', async () => {
    const w = await world();
    const results = [await w.failed(1, 'INTERNAL'), await w.failed(2, 'INTERNAL'), await w.failed(3, 'INTERNAL')];
    const release = w.stock.release.bind(w.stock);
    let calls = 0;
    w.stock.release = async (itemId, userId, uuid, returnUnit) => {
      if (++calls === 2) throw new Error('Connection is closed.');
      return release(itemId, userId, uuid, returnUnit);
    };
    const message = deliveryOf(batchOf(results));
    await assert.rejects(w.handler.handle(message), /Connection is closed/);
    assert.ok((await w.left())! < 3);
    assert.equal(await w.handler.handle(message), 'ack');
    assert.equal(await w.left(), 3);
    assert.equal(await w.handler.handle(message), 'ack', 'redelivered once more');
    assert.equal(await w.left(), 3);
  });
});

function batchOf(results: OrderResultMessage[]): OrderResultBatchMessage {
  return {
    version: MESSAGE_VERSION,
    type: 'order.results',
    decidedAt: new Date().toISOString(),
    results: results.map((r) =>
      r.status === 'FAIL'
        ? { uuid: r.uuid, userId: r.userId, seckillGoodId: r.seckillGoodId, status: 'FAIL', reason: r.reason }
        : { uuid: r.uuid, userId: r.userId, seckillGoodId: r.seckillGoodId, status: 'SUCCESS', orderNo: r.orderNo },
    ),
  };
}
