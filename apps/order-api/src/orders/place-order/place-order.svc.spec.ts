import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { loadConfig } from '@seckill/config';
import { ErrorCode, type OrderPlacedMessage } from '@seckill/contracts';
import { Exchange, PublishTimeoutError, type ConfirmedPublisher, type StockBroadcast } from '@seckill/messaging';
import { StockSync } from '@seckill/order-lifecycle';
import type { SaleItemRepository } from '@seckill/persistence';
import type { StockService } from '@seckill/stock';
import { asReal, FakePublisher, FakeSaleItems, FakeStock, FakeStockBroadcast, recordingLogger, domainRefusal } from '@seckill/testing';
import { SaleItemsService } from '../../sale-items/sale-items.service';
import { SaleCache } from '../../sale-items/sale-cache';
import { memoryLimiterFactory } from '../../limits/limiter-factories';
import { RequestLimits } from '../../limits/request-limits';
import type { LimiterFactory } from '../../limits/shared-limit';
import { PlaceOrderService } from './place-order.service';
import { SoldOutFlags } from './sold-out-flags';
import type { RoomService } from '../../waiting-room/room.service';

const IP = '203.0.113.7';

/**
 * PlaceOrderService with its real collaborators (sale items, sale cache, flags, StockSync, request limits) over
 * in-memory fakes. `instance()` is one more order-api over the same stock and the same limit store (its own flags and
 * per-instance count), as a second process would be.
 */
function world(overrides: Record<string, string> = {}, limiterFactory: LimiterFactory = sharedMemoryFactory()) {
  const config = loadConfig({ ORDER_RATE_LIMIT_PER_SECOND: '1000', ORDER_RATE_LIMIT_PER_IP_PER_SECOND: '1000', ...overrides });
  const items = new FakeSaleItems();
  const stock = new FakeStock();
  const publisher = new FakePublisher();
  const broadcast = new FakeStockBroadcast();
  const { logger, lines } = recordingLogger();
  const realItems = asReal<SaleItemRepository>(items);
  const realStock = asReal<StockService>(stock);
  const instance = () => {
    const flags = new SoldOutFlags(60_000);
    const saleCache = new SaleCache(realItems, config);
    const sync = new StockSync(realItems, realStock, logger);
    const saleItems = new SaleItemsService(realItems, realStock, sync, saleCache, asReal<StockBroadcast>(broadcast), logger);
    const limits = new RequestLimits(config, limiterFactory, logger);
    const service = new PlaceOrderService(saleCache, flags, realStock, saleItems, asReal<StockBroadcast>(broadcast), asReal<ConfirmedPublisher>(publisher), logger, config, limits, noRooms);
    return { flags, service };
  };
  const { flags, service } = instance();
  return { items, stock, publisher, broadcast, flags, lines, service, instance };
}

/** The items here have no waiting room, so the order path never asks for an admission (room.e2e covers rooms). */
const noRoom = async (): Promise<never> => {
  throw new Error('no item in these tests has a waiting room');
};
const noRooms = asReal<RoomService>({ admit: noRoom, join: noRoom, ticket: noRoom, settings: noRoom, configure: noRoom });

/** One memory store per rule, shared by every instance built with this factory (what Redis is in the product). */
function sharedMemoryFactory(): LimiterFactory {
  const memory = memoryLimiterFactory();
  const stores = new Map<string, ReturnType<LimiterFactory>>();
  return (rule) => {
    const store = stores.get(rule.name) ?? memory(rule);
    stores.set(rule.name, store);
    return store;
  };
}

const refusal = async (p: Promise<unknown>): Promise<string> => (await domainRefusal(p)).code;

describe('PlaceOrderService', () => {
  it('loads an item on its first order, reserves, publishes with the uuid, marks it QUEUED, and answers 202', async () => {
    const w = world();
    const item = w.items.add({ stock: 2 });
    const requestId = randomUUID();
    const accepted = await w.service.place(7, item.id, requestId, IP);
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
    await w.service.place(7, item.id, requestId, IP);
    assert.deepEqual(await w.service.place(7, item.id, requestId, IP), { uuid: requestId, status: 'QUEUED' });
    assert.deepEqual(await w.stock.stockLeft([item.id]), [4]);
    assert.equal(w.publisher.to(Exchange.ORDER).length, 1);
    assert.equal(await refusal(w.service.place(8, item.id, requestId, IP)), ErrorCode.VALIDATION_FAILED, 'another shopper\'s requestId');
  });

  it('refuses out of the window, unknown items, repeat buyers and a sold-out item, and then answers sold out from memory', async () => {
    const w = world();
    const later = w.items.add({ startTime: new Date(Date.now() + 60_000) });
    const over = w.items.add({ endTime: new Date(Date.now() - 1), startTime: new Date(Date.now() - 60_000) });
    const one = w.items.add({ stock: 1 });
    assert.equal(await refusal(w.service.place(1, later.id, undefined, IP)), ErrorCode.SALE_NOT_STARTED);
    assert.equal(await refusal(w.service.place(1, over.id, undefined, IP)), ErrorCode.SALE_ENDED);
    assert.equal(await refusal(w.service.place(1, 999, undefined, IP)), ErrorCode.GOOD_NOT_FOUND);
    await w.service.place(1, one.id, undefined, IP);
    assert.equal(await refusal(w.service.place(1, one.id, undefined, IP)), ErrorCode.ALREADY_ORDERED);
    assert.equal(await refusal(w.service.place(2, one.id, undefined, IP)), ErrorCode.SOLD_OUT);
    w.stock.failNext(new Error('Redis would be asked now'));
    assert.equal(await refusal(w.service.place(3, one.id, undefined, IP)), ErrorCode.SOLD_OUT, 'the flag answers without touching Redis');
  });

  it('gives the unit back and answers 503 when the publish is not confirmed, and tells every instance the unit is back', async () => {
    const w = world();
    const item = w.items.add({ stock: 1 });
    w.publisher.failNext(new PublishTimeoutError('not confirmed in time'));
    const requestId = randomUUID();
    assert.equal(await refusal(w.service.place(7, item.id, requestId, IP)), ErrorCode.TRY_AGAIN);
    assert.deepEqual(await w.stock.stockLeft([item.id]), [1]);
    assert.equal((await w.stock.request(requestId))?.state, 'ABANDONED');
    assert.deepEqual(w.broadcast.sent, [{ itemId: item.id, reason: 'order.fail', uuid: requestId }]);
    assert.deepEqual(await w.service.place(7, item.id, requestId, IP), { uuid: requestId, status: 'QUEUED' }, 'the retry with the same requestId goes through');
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
      await claimFirst([{ itemId: item.id, uuid: requestId }]);
      return original(...args);
    };
    assert.deepEqual(await w.service.place(7, item.id, requestId, IP), { uuid: requestId, status: 'QUEUED' });
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
    assert.equal(await refusal(w.service.place(7, item.id, requestId, IP)), ErrorCode.TRY_AGAIN);
    assert.deepEqual(await w.stock.stockLeft([item.id]), [1]);
  });

  it('answers 503 (never 500) when Redis is away, and when marking the request queued fails after the confirm', async () => {
    const w = world();
    const item = w.items.add({ stock: 3 });
    await w.service.place(1, item.id, undefined, IP);
    w.stock.failNext(new Error('Connection is closed.'));
    assert.equal(await refusal(w.service.place(2, item.id, undefined, IP)), ErrorCode.TRY_AGAIN);
    const markQueued = w.stock.markQueued.bind(w.stock);
    w.stock.markQueued = async () => {
      w.stock.markQueued = markQueued;
      throw new Error('Connection is closed.');
    };
    assert.equal(await refusal(w.service.place(3, item.id, undefined, IP)), ErrorCode.TRY_AGAIN);
  });

  it('holds an item whose counter Redis lost after it had been loaded, instead of promising its units again', async () => {
    const w = world();
    const item = w.items.add({ stock: 5 });
    await w.service.place(1, item.id, undefined, IP);
    w.stock.counters.delete(item.id);
    w.stock.buyers.delete(item.id);
    assert.equal(await refusal(w.service.place(2, item.id, undefined, IP)), ErrorCode.TRY_AGAIN);
    assert.deepEqual([...w.stock.fences.keys()], [item.id]);
    assert.equal(await refusal(w.service.place(3, item.id, undefined, IP)), ErrorCode.TRY_AGAIN, 'still held');
  });

  it('limits one shopper\'s requests per second', async () => {
    const w = world({ ORDER_RATE_LIMIT_PER_SECOND: '2' });
    const item = w.items.add({ stock: 10 });
    const answers = await Promise.all([1, 2, 3].map(() => refusal(w.service.place(5, item.id, undefined, IP)).catch(() => 'accepted')));
    assert.deepEqual(answers.sort(), ['ALREADY_ORDERED', 'RATE_LIMITED', 'accepted'].sort());
  });

  it('shares the per-user limit between instances: what one instance let through counts on the other', async () => {
    const w = world({ ORDER_RATE_LIMIT_PER_SECOND: '2' });
    const other = w.instance();
    const [a, b] = [w.items.add({ stock: 10 }), w.items.add({ stock: 10 })];
    await w.service.place(5, a.id, undefined, IP);
    await w.service.place(5, b.id, undefined, IP);
    // The other instance has seen nothing from user 5 yet (its own count lets it through); the shared count refuses.
    assert.equal(await refusal(other.service.place(5, a.id, undefined, IP)), ErrorCode.RATE_LIMITED);
    assert.equal(w.publisher.to(Exchange.ORDER).length, 2);
  });

  it('limits the requests of one address across users and instances, and not those of another address', async () => {
    const w = world({ ORDER_RATE_LIMIT_PER_IP_PER_SECOND: '3' });
    const other = w.instance();
    const item = w.items.add({ stock: 10 });
    await w.service.place(1, item.id, undefined, IP);
    await other.service.place(2, item.id, undefined, IP);
    await w.service.place(3, item.id, undefined, IP);
    assert.equal(await refusal(other.service.place(4, item.id, undefined, IP)), ErrorCode.RATE_LIMITED);
    await other.service.place(4, item.id, undefined, '198.51.100.1');
    assert.equal(w.publisher.to(Exchange.ORDER).length, 4);
  });

  it('answers a request the sold-out flag decides without counting it in the shared store (no I/O)', async () => {
    const consumed: string[] = [];
    const memory = sharedMemoryFactory();
    const counting: LimiterFactory = (rule) => {
      const store = memory(rule);
      const consume = store.consume.bind(store);
      store.consume = (key, points, options) => {
        consumed.push(`${rule.name}:${String(key)}`);
        return consume(key, points, options);
      };
      return store;
    };
    const w = world({}, counting);
    const one = w.items.add({ stock: 1 });
    await w.service.place(1, one.id, undefined, IP);
    assert.equal(await refusal(w.service.place(2, one.id, undefined, IP)), ErrorCode.SOLD_OUT);
    assert.equal(w.flags.isSoldOut(one.id), true);
    assert.ok(consumed.length > 0, 'the orders that reached Redis were counted');
    consumed.length = 0;
    w.stock.failNext(new Error('Redis would be asked now'));
    for (let user = 10; user < 110; user++) assert.equal(await refusal(w.service.place(user, one.id, undefined, IP)), ErrorCode.SOLD_OUT);
    assert.deepEqual(consumed, [], 'no limit was consulted');
  });

  it('in a burst, the orders still waiting for a Redis turn when the item sells out are answered from the flag', async () => {
    const w = world();
    const item = w.items.add({ stock: 5 });
    await w.service.place(1, item.id, undefined, IP);
    let reservations = 0;
    const reserve = w.stock.reserve.bind(w.stock);
    w.stock.reserve = (...args) => {
      reservations++;
      return reserve(...args);
    };
    const answers = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => w.service.place(100 + i, item.id, undefined, IP).then(() => 'QUEUED', (err: unknown) => (err as { code?: string }).code)),
    );
    assert.equal(answers.filter((a) => a === 'QUEUED').length, 4);
    assert.equal(answers.filter((a) => a === ErrorCode.SOLD_OUT).length, 996);
    assert.ok(reservations < 500, `${reservations} of 1000 orders asked Redis, though the item sold out after the first 5`);
  });

  it('answers the orders the flag decides after their wait in waves, letting the event loop turn in between', async () => {
    const w = world();
    const item = w.items.add({ stock: 5 });
    await w.service.place(1, item.id, undefined, IP);
    let settled = 0;
    const burst = Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        w.service
          .place(100 + i, item.id, undefined, IP)
          .catch(() => undefined)
          .finally(() => settled++),
      ),
    );
    const perTurn: number[] = [];
    while (settled < 1000) {
      await new Promise((resolve) => setImmediate(resolve));
      perTurn.push(settled);
    }
    await burst;
    assert.ok(perTurn.length >= 3, `answers settled by each turn of the event loop: ${perTurn.join(', ')}`);
  });

  it('keeps taking orders when the limit store fails, counting on this instance alone, and says so once', async () => {
    const failing: LimiterFactory = (rule) => {
      const store = memoryLimiterFactory()(rule);
      store.consume = () => Promise.reject(new Error('Redis connection is not ready'));
      return store;
    };
    const w = world({ ORDER_RATE_LIMIT_PER_IP_PER_SECOND: '2' }, failing);
    const item = w.items.add({ stock: 10 });
    await w.service.place(1, item.id, undefined, IP);
    await w.service.place(2, item.id, undefined, IP);
    assert.equal(await refusal(w.service.place(3, item.id, undefined, IP)), ErrorCode.RATE_LIMITED, 'the per-address limit holds in memory');
    assert.equal(w.lines.filter((l) => l.msg === 'request limit store unreachable; counting on this instance only').length, 2, 'once per limit (order_user, order_ip)');
  });

  it('lifts the limits with RATE_LIMITS=off', async () => {
    const w = world({ RATE_LIMITS: 'off', ORDER_RATE_LIMIT_PER_SECOND: '1', ORDER_RATE_LIMIT_PER_IP_PER_SECOND: '1' });
    const items = [w.items.add({ stock: 5 }), w.items.add({ stock: 5 }), w.items.add({ stock: 5 })];
    for (const item of items) await w.service.place(5, item.id, undefined, IP);
    assert.equal(w.publisher.to(Exchange.ORDER).length, 3);
  });
});
