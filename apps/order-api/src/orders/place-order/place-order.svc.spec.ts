import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { loadConfig } from '@seckill/config';
import { DomainError, ErrorCode, type OrderPlacedMessage } from '@seckill/contracts';
import { Exchange, PublishTimeoutError, type ConfirmedPublisher, type StockBroadcast } from '@seckill/messaging';
import { StockSync } from '@seckill/order-lifecycle';
import type { SaleItemRepository } from '@seckill/persistence';
import type { StockService } from '@seckill/stock';
import { asReal, FakePublisher, FakeSaleItems, FakeStock, FakeStockBroadcast, recordingLogger } from '@seckill/testing';
import { SaleItemsService } from '../../sale-items/sale-items.service';
import { SaleCache } from '../../sale-items/sale-cache';
import { PlaceOrderService } from './place-order.service';
import { SoldOutFlags } from './sold-out-flags';

/** PlaceOrderService with its real collaborators (sale items, sale cache, flags, StockSync) over in-memory fakes. */
function world(overrides: Record<string, string> = {}) {
  const config = loadConfig({ ORDER_RATE_LIMIT_PER_SECOND: '1000', ...overrides });
  const items = new FakeSaleItems();
  const stock = new FakeStock();
  const publisher = new FakePublisher();
  const broadcast = new FakeStockBroadcast();
  const flags = new SoldOutFlags(60_000);
  const { logger, lines } = recordingLogger();
  const realItems = asReal<SaleItemRepository>(items);
  const realStock = asReal<StockService>(stock);
  const saleCache = new SaleCache(realItems, config);
  const sync = new StockSync(realItems, realStock, logger);
  const saleItems = new SaleItemsService(realItems, realStock, sync, saleCache, asReal<StockBroadcast>(broadcast), logger);
  const service = new PlaceOrderService(saleCache, flags, realStock, saleItems, asReal<StockBroadcast>(broadcast), asReal<ConfirmedPublisher>(publisher), logger, config);
  return { items, stock, publisher, broadcast, flags, lines, service };
}

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof DomainError) return err.code;
    throw err;
  }
  throw new Error('the order was accepted');
}

describe('PlaceOrderService', () => {
  it('loads an item on its first order, reserves, publishes with the uuid, marks it QUEUED, and answers 202', async () => {
    const w = world();
    const item = w.items.add({ stock: 2 });
    const requestId = randomUUID();
    const accepted = await w.service.place(7, item.id, requestId);
    assert.deepEqual(accepted, { uuid: requestId, status: 'QUEUED' });
    assert.equal(w.items.items.get(item.id)?.loadedAt instanceof Date, true, 'first load recorded');
    assert.deepEqual(await w.stock.stockLeft([item.id]), [1]);
    assert.equal((await w.stock.request(requestId))?.state, 'QUEUED');
    const [message] = w.publisher.to(Exchange.ORDER) as OrderPlacedMessage[];
    assert.deepEqual([message?.uuid, message?.userId, message?.seckillGoodId], [requestId, 7, item.id]);
  });

  it('answers the same requestId again with the same uuid and no second reservation', async () => {
    const w = world();
    const item = w.items.add({ stock: 5 });
    const requestId = randomUUID();
    await w.service.place(7, item.id, requestId);
    assert.deepEqual(await w.service.place(7, item.id, requestId), { uuid: requestId, status: 'QUEUED' });
    assert.deepEqual(await w.stock.stockLeft([item.id]), [4]);
    assert.equal(w.publisher.to(Exchange.ORDER).length, 1);
    assert.equal(await refusal(w.service.place(8, item.id, requestId)), ErrorCode.VALIDATION_FAILED, 'another shopper\'s requestId');
  });

  it('refuses out of the window, unknown items, repeat buyers and a sold-out item, and then answers sold out from memory', async () => {
    const w = world();
    const later = w.items.add({ startTime: new Date(Date.now() + 60_000) });
    const over = w.items.add({ endTime: new Date(Date.now() - 1), startTime: new Date(Date.now() - 60_000) });
    const one = w.items.add({ stock: 1 });
    assert.equal(await refusal(w.service.place(1, later.id)), ErrorCode.SALE_NOT_STARTED);
    assert.equal(await refusal(w.service.place(1, over.id)), ErrorCode.SALE_ENDED);
    assert.equal(await refusal(w.service.place(1, 999)), ErrorCode.GOOD_NOT_FOUND);
    await w.service.place(1, one.id);
    assert.equal(await refusal(w.service.place(1, one.id)), ErrorCode.ALREADY_ORDERED);
    assert.equal(await refusal(w.service.place(2, one.id)), ErrorCode.SOLD_OUT);
    w.stock.failNext(new Error('Redis would be asked now'));
    assert.equal(await refusal(w.service.place(3, one.id)), ErrorCode.SOLD_OUT, 'the flag answers without touching Redis');
  });

  it('gives the unit back and answers 503 when the publish is not confirmed, and tells every instance the unit is back', async () => {
    const w = world();
    const item = w.items.add({ stock: 1 });
    w.publisher.failNext(new PublishTimeoutError('not confirmed in time'));
    const requestId = randomUUID();
    assert.equal(await refusal(w.service.place(7, item.id, requestId)), ErrorCode.TRY_AGAIN);
    assert.deepEqual(await w.stock.stockLeft([item.id]), [1]);
    assert.equal((await w.stock.request(requestId))?.state, 'ABANDONED');
    assert.deepEqual(w.broadcast.sent, [{ itemId: item.id, reason: 'order.fail', uuid: requestId }]);
    assert.deepEqual(await w.service.place(7, item.id, requestId), { uuid: requestId, status: 'QUEUED' }, 'the retry with the same requestId goes through');
  });

  it('answers 202 after a timed-out publish when the worker had already claimed the request (the message did arrive)', async () => {
    const w = world();
    const item = w.items.add({ stock: 1 });
    const requestId = randomUUID();
    w.publisher.failNext(new PublishTimeoutError('not confirmed in time'));
    // The worker claims the request while the confirm is still outstanding.
    const claimFirst = w.stock.claim.bind(w.stock);
    const original = w.stock.abandon.bind(w.stock);
    w.stock.abandon = async (...args) => {
      await claimFirst([requestId]);
      return original(...args);
    };
    assert.deepEqual(await w.service.place(7, item.id, requestId), { uuid: requestId, status: 'QUEUED' });
    assert.deepEqual(await w.stock.stockLeft([item.id]), [0], 'the unit stays with the claimed order');
  });

  it('answers 503 for a confirm that comes after the stranded sweeper released the reservation', async () => {
    const w = world();
    const item = w.items.add({ stock: 1 });
    const requestId = randomUUID();
    const publish = w.publisher.publish.bind(w.publisher);
    w.publisher.publish = async (...args) => {
      await w.stock.releaseStranded(item.id, requestId);
      return publish(...args);
    };
    assert.equal(await refusal(w.service.place(7, item.id, requestId)), ErrorCode.TRY_AGAIN);
    assert.deepEqual(await w.stock.stockLeft([item.id]), [1]);
  });

  it('answers 503 (never 500) when Redis is away, and when marking the request queued fails after the confirm', async () => {
    const w = world();
    const item = w.items.add({ stock: 3 });
    await w.service.place(1, item.id);
    w.stock.failNext(new Error('Connection is closed.'));
    assert.equal(await refusal(w.service.place(2, item.id)), ErrorCode.TRY_AGAIN);
    const markQueued = w.stock.markQueued.bind(w.stock);
    w.stock.markQueued = async () => {
      w.stock.markQueued = markQueued;
      throw new Error('Connection is closed.');
    };
    assert.equal(await refusal(w.service.place(3, item.id)), ErrorCode.TRY_AGAIN);
  });

  it('holds an item whose counter Redis lost after it had been loaded, instead of promising its units again', async () => {
    const w = world();
    const item = w.items.add({ stock: 5 });
    await w.service.place(1, item.id);
    w.stock.counters.delete(item.id);
    w.stock.buyers.delete(item.id);
    assert.equal(await refusal(w.service.place(2, item.id)), ErrorCode.TRY_AGAIN);
    assert.deepEqual([...w.stock.fences.keys()], [item.id]);
    assert.equal(await refusal(w.service.place(3, item.id)), ErrorCode.TRY_AGAIN, 'still held');
  });

  it('limits one shopper\'s requests per second', async () => {
    const w = world({ ORDER_RATE_LIMIT_PER_SECOND: '2' });
    const item = w.items.add({ stock: 10 });
    const answers = await Promise.all([1, 2, 3].map(() => refusal(w.service.place(5, item.id)).catch(() => 'accepted')));
    assert.deepEqual(answers.sort(), ['ALREADY_ORDERED', 'RATE_LIMITED', 'accepted'].sort());
  });
});
