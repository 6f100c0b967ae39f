import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { ConsumeMessage } from 'amqplib';
import { ConfigModule } from '@seckill/config';
import { MESSAGE_VERSION, type OrderPlacedMessage } from '@seckill/contracts';
import { ConfirmedPublisher, Delivery, MessagingModule, PublishTimeoutError, RoutingKey } from '@seckill/messaging';
import { ObservabilityModule } from '@seckill/observability';
import { OrderLifecycleModule, OrderLifecycleService } from '@seckill/order-lifecycle';
import { PersistenceModule } from '@seckill/persistence';
import { StockModule, StockService } from '@seckill/stock';
import { createTestEnv, ResultCollector, seedSale, seedShoppers, sql, useInProcess, type TestEnv } from '@seckill/testing';
import { OrderPlacedHandler } from '../pending-orders/order-placed.handler';
import { StatusPushRelay } from './status-push.relay';

/**
 * The order-status push after a publish that failed once the change had committed, against real PostgreSQL,
 * Redis and RabbitMQ: the change answers as committed, its push waits in the outbox, and the relay delivers it
 * to the result exchange, where the notifier (here a collector) reads it.
 */
@Module({
  imports: [ConfigModule, ObservabilityModule.forRoot('status-push-int', { useFactory: () => [] }), PersistenceModule, StockModule, MessagingModule.forRoot({ connectionName: 'status-push-int' }), OrderLifecycleModule],
  providers: [OrderPlacedHandler, StatusPushRelay],
})
class RelayUnderTest {}

let env: TestEnv;
let app: INestApplicationContext;
let placed: OrderPlacedHandler;
let lifecycle: OrderLifecycleService;
let relay: StatusPushRelay;
let stock: StockService;
let results: ResultCollector;
let shoppers: { id: number }[];
/** Status publishes to refuse, as a broker that does not confirm in time would. */
let refuseStatuses = 0;

before(async () => {
  env = await createTestEnv('status-push');
  // The relay is driven by the test (one pass at a time), and every push is already old enough for it.
  useInProcess(env, { LOG_LEVEL: 'fatal', STATUS_PUSH_RELAY_INTERVAL_MS: '3600000', STATUS_PUSH_RELAY_AFTER_MS: '1' });
  app = await NestFactory.createApplicationContext(RelayUnderTest, { logger: false });
  placed = app.get(OrderPlacedHandler);
  lifecycle = app.get(OrderLifecycleService);
  relay = app.get(StatusPushRelay);
  stock = app.get(StockService);
  const publisher = app.get(ConfirmedPublisher);
  const publish = publisher.publish.bind(publisher);
  publisher.publish = (exchange, routingKey, body, meta, timeoutMs) => {
    if (routingKey === RoutingKey.ORDER_STATUS && refuseStatuses > 0) {
      refuseStatuses--;
      return Promise.reject(new PublishTimeoutError(`publish to ${exchange}/${routingKey} not confirmed in time`));
    }
    return publish(exchange, routingKey, body, meta, timeoutMs);
  };
  results = await ResultCollector.start(env.amqpUrl);
  shoppers = await seedShoppers(env.databaseUrl, 4);
});

after(async () => {
  await results?.close();
  await app?.close();
  await env?.cleanup();
});

/** An UNPAID order made the way the product makes one: reserved in Redis, decided by the worker's handler. */
async function unpaidOrder(itemId: number, userId: number): Promise<{ uuid: string; orderNo: string }> {
  const uuid = randomUUID();
  assert.equal((await stock.reserve(itemId, userId, uuid)).kind, 'RESERVED');
  const order: OrderPlacedMessage = { version: MESSAGE_VERSION, uuid, userId, seckillGoodId: itemId, placedAt: new Date().toISOString() };
  const msg = { content: Buffer.from(JSON.stringify(order)), fields: {}, properties: { headers: { 'x-delivery-count': 0 } } } as unknown as ConsumeMessage;
  assert.deepEqual(await placed.handleBatch([new Delivery(msg, {} as never, () => false)]), ['ack']);
  await results.waitForAll([uuid], 10_000);
  return { uuid, orderNo: results.results.get(uuid)!.orderNo! };
}

async function outbox(orderNo: string): Promise<string[]> {
  return (await sql<{ status: string }>(env.databaseUrl, `SELECT status FROM order_status_outbox WHERE order_no = $1`, [orderNo])).map((r) => r.status);
}

describe('an order-status push whose publish failed after the commit', () => {
  it('pay answers the committed order, and the relay delivers the PAID push to the result exchange', async () => {
    const itemId = await seedSale(env.databaseUrl, { stock: 3 });
    await stock.load(itemId, 3, []);
    const userId = shoppers[0]!.id;
    const order = await unpaidOrder(itemId, userId);

    refuseStatuses = 1;
    const view = await lifecycle.pay(userId, order.orderNo);
    assert.equal(view.status, 'PAID');
    assert.deepEqual(await lifecycle.pay(userId, order.orderNo), view, 'the retry answers the same');
    assert.deepEqual(await outbox(order.orderNo), ['PAID'], 'the push is kept in PostgreSQL');

    assert.equal(await relay.relay(), 1);
    await results.waitFor(() => results.statusesOf(order.uuid).includes('PAID'), 10_000, 'the PAID push');
    assert.deepEqual(await outbox(order.orderNo), []);
    assert.equal(await relay.relay(), 0, 'nothing left to send');
    const [push] = results.statuses.get(order.uuid)!;
    assert.deepEqual([push?.orderNo, push?.userId, push?.seckillGoodId], [order.orderNo, userId, itemId]);
  });

  it('cancel answers the committed order; the relay keeps the push while the broker refuses it, and delivers it after', async () => {
    const itemId = await seedSale(env.databaseUrl, { stock: 3 });
    await stock.load(itemId, 3, []);
    const userId = shoppers[1]!.id;
    const order = await unpaidOrder(itemId, userId);

    refuseStatuses = 2;
    const view = await lifecycle.cancel(userId, order.orderNo);
    assert.equal(view.status, 'CANCELLED');
    assert.deepEqual((await stock.stockLeft([itemId]))[0], 3, 'the unit is back');
    assert.equal(await relay.relay(), 0, 'the broker still refuses: the pass fails and keeps the push');
    assert.deepEqual(await outbox(order.orderNo), ['CANCELLED']);
    assert.equal(await relay.relay(), 1);
    await results.waitFor(() => results.statusesOf(order.uuid).includes('CANCELLED'), 10_000, 'the CANCELLED push');
    assert.deepEqual(await outbox(order.orderNo), []);
  });
});
