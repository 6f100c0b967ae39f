import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { ConsumeMessage } from 'amqplib';
import { MESSAGE_VERSION, type OrderPlacedMessage } from '@seckill/contracts';
import { ConfigModule } from '@seckill/config';
import { Delivery, MessagingModule } from '@seckill/messaging';
import { ObservabilityModule } from '@seckill/observability';
import { PersistenceModule } from '@seckill/persistence';
import { StockModule, StockService } from '@seckill/stock';
import { createTestEnv, ResultCollector, seedSale, seedShoppers, sql, useInProcess, type TestEnv } from '@seckill/testing';
import { OrderBatchRepository } from './order-batch.repository';
import { OrderPlacedHandler } from './order-placed.handler';

/** The worker's real wiring (PostgreSQL, Redis, RabbitMQ) without its consumers: batches are handed in directly. */
@Module({
  imports: [ConfigModule, ObservabilityModule.forRoot('worker-int', { useFactory: () => [] }), PersistenceModule, StockModule, MessagingModule.forRoot({ connectionName: 'worker-int' })],
  providers: [OrderBatchRepository, OrderPlacedHandler],
})
class HandlerUnderTest {}

let env: TestEnv;
let app: INestApplicationContext;
let handler: OrderPlacedHandler;
let stock: StockService;
let results: ResultCollector;
let shoppers: { id: number }[];

before(async () => {
  env = await createTestEnv('worker-batch');
  useInProcess(env, { LOG_LEVEL: 'fatal' });
  app = await NestFactory.createApplicationContext(HandlerUnderTest, { logger: false });
  handler = app.get(OrderPlacedHandler);
  stock = app.get(StockService);
  results = await ResultCollector.start(env.amqpUrl);
  shoppers = await seedShoppers(env.databaseUrl, 20);
});

after(async () => {
  await results?.close();
  await app?.close();
  await env?.cleanup();
});

/** A delivery as the consumer would hand it over; settling is the consumer's job, not the handler's. */
function delivery(body: unknown, previousDeliveries = 0): Delivery {
  const content = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  const msg = { content, fields: {}, properties: { headers: { 'x-delivery-count': previousDeliveries } } } as unknown as ConsumeMessage;
  return new Delivery(msg, {} as never, () => false);
}

async function reserved(goodId: number, userId: number): Promise<OrderPlacedMessage> {
  const uuid = randomUUID();
  const r = await stock.reserve(goodId, userId, uuid);
  assert.equal(r.kind, 'RESERVED');
  return { version: MESSAGE_VERSION, uuid, userId, seckillGoodId: goodId, placedAt: new Date().toISOString() };
}

describe('a batch that straddles the last unit', () => {
  it('sells exactly the units left, fails the rest SOLD_OUT, and publishes every outcome', async () => {
    const goodId = await seedSale(env.databaseUrl, { stock: 3 });
    // Redis promises more than PostgreSQL has (as after a drift): PostgreSQL must still refuse the oversell.
    await stock.load(goodId, 10, []);
    const messages = await Promise.all(shoppers.slice(0, 5).map((s) => reserved(goodId, s.id)));
    const dispositions = await handler.handleBatch(messages.map((m) => delivery(m)));
    assert.deepEqual(dispositions, ['ack', 'ack', 'ack', 'ack', 'ack']);

    const rows = await sql<{ uuid: string; status: string; reason: string | null }>(
      env.databaseUrl,
      `SELECT uuid, status, reason FROM order_requests WHERE seckill_good_id = $1`,
      [goodId],
    );
    const byUuid = new Map(rows.map((r) => [r.uuid, r]));
    assert.deepEqual(messages.map((m) => byUuid.get(m.uuid)?.status), ['SUCCESS', 'SUCCESS', 'SUCCESS', 'FAIL', 'FAIL']);
    assert.deepEqual(messages.slice(3).map((m) => byUuid.get(m.uuid)?.reason), ['SOLD_OUT', 'SOLD_OUT']);
    const [good] = await sql<{ stock_left: number }>(env.databaseUrl, `SELECT stock_left FROM seckill_goods WHERE id = $1`, [goodId]);
    assert.equal(good!.stock_left, 0);
    const [orders] = await sql<{ n: string }>(env.databaseUrl, `SELECT count(*) AS n FROM orders WHERE seckill_good_id = $1`, [goodId]);
    assert.equal(Number(orders!.n), 3);
    await results.waitForAll(messages.map((m) => m.uuid), 10_000);
  });
});

describe('redelivery of an already-processed message', () => {
  it('replays the recorded outcome instead of deciding again', async () => {
    const goodId = await seedSale(env.databaseUrl, { stock: 5 });
    await stock.load(goodId, 5, []);
    const message = await reserved(goodId, shoppers[10]!.id);
    assert.deepEqual(await handler.handleBatch([delivery(message)]), ['ack']);
    await results.waitForAll([message.uuid], 10_000);
    const first = results.results.get(message.uuid)!;
    const deliveriesBefore = results.deliveries;

    // The broker redelivers it (the ack was lost in a crash), once alone and once twice within one batch.
    assert.deepEqual(await handler.handleBatch([delivery(message, 1)]), ['ack']);
    assert.deepEqual(await handler.handleBatch([delivery(message, 2), delivery(message, 2)]), ['ack', 'ack']);
    await results.waitFor(() => results.deliveries >= deliveriesBefore + 2, 10_000, 'replayed outcomes');

    assert.equal(first.status, 'SUCCESS');
    assert.deepEqual(results.conflicts, []);
    const [count] = await sql<{ n: string }>(env.databaseUrl, `SELECT count(*) AS n FROM orders WHERE uuid = $1`, [message.uuid]);
    assert.equal(Number(count!.n), 1);
    const [good] = await sql<{ stock_left: number }>(env.databaseUrl, `SELECT stock_left FROM seckill_goods WHERE id = $1`, [goodId]);
    assert.equal(good!.stock_left, 4);
  });
});

describe('bad messages', () => {
  it('parks unparseable messages and retries alone the one that breaks the transaction, deciding the others', async () => {
    const goodId = await seedSale(env.databaseUrl, { stock: 5 });
    await stock.load(goodId, 5, []);
    const good = await reserved(goodId, shoppers[15]!.id);
    // A user id that does not exist violates the orders → users foreign key: the whole batch transaction fails.
    const orphan = await reserved(goodId, 987_654_321);
    const dispositions = await handler.handleBatch([delivery('{not json'), delivery({ version: 99 }), delivery(orphan), delivery(good)]);
    assert.deepEqual(dispositions, ['park', 'park', 'retry', 'ack']);
    const decided = await sql<{ uuid: string }>(env.databaseUrl, `SELECT uuid FROM order_requests WHERE seckill_good_id = $1`, [goodId]);
    assert.deepEqual(decided.map((r) => r.uuid), [good.uuid]);
  });
});
