import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it, mock } from 'node:test';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import { connect, type ConsumeMessage } from 'amqplib';
import { Client } from 'pg';
import { MESSAGE_VERSION, type OrderPlacedMessage, type OrderResultBatchMessage } from '@seckill/contracts';
import { ConfigModule } from '@seckill/config';
import { AMQP_CONNECTION, ConfirmedPublisher, Delivery, Exchange, MessagingModule, parkingLotName, PublishTimeoutError, Queue, QueueConsumer, RoutingKey, type BatchHandler, type PublishMeta } from '@seckill/messaging';
import { DependencyMonitor, faultOrigin, ObservabilityModule } from '@seckill/observability';
import { OrderBatchRepository, PersistenceModule } from '@seckill/persistence';
import { REDIS } from '@seckill/redis';
import { StockModule, StockService } from '@seckill/stock';
import type Redis from 'ioredis';
import { createTestEnv, ResultCollector, seedSale, seedShoppers, sql, useInProcess, type TestEnv } from '@seckill/testing';
import { OrderPlacedHandler } from './order-placed.handler';

/**
 * The worker's real wiring (PostgreSQL, Redis, RabbitMQ) without its consumers: batches are handed in directly,
 * or through a BatchConsumer on the real pending queue.
 */
@Module({
  imports: [ConfigModule, ObservabilityModule.forRoot('worker-int', { useFactory: () => [] }), PersistenceModule, StockModule, MessagingModule.forRoot({ connectionName: 'worker-int' })],
  providers: [OrderPlacedHandler],
})
class HandlerUnderTest {}

let env: TestEnv;
let app: INestApplicationContext;
let handler: OrderPlacedHandler;
let stock: StockService;
let redis: Redis;
let results: ResultCollector;
let shoppers: { id: number }[];

before(async () => {
  env = await createTestEnv('worker-batch');
  useInProcess(env, { LOG_LEVEL: 'fatal' });
  app = await NestFactory.createApplicationContext(HandlerUnderTest, { logger: false });
  handler = app.get(OrderPlacedHandler);
  stock = app.get(StockService);
  redis = app.get<Redis>(REDIS);
  results = await ResultCollector.start(env.amqpUrl);
  shoppers = await seedShoppers(env.databaseUrl, 60);
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

async function reserved(itemId: number, userId: number): Promise<OrderPlacedMessage> {
  const uuid = randomUUID();
  const r = await stock.reserve(itemId, userId, uuid);
  assert.equal(r.kind, 'RESERVED');
  return { version: MESSAGE_VERSION, uuid, userId, seckillGoodId: itemId, placedAt: new Date().toISOString() };
}

describe('a batch that straddles the last unit', () => {
  it('sells exactly the units left, fails the rest SOLD_OUT, and publishes every outcome', async () => {
    const itemId = await seedSale(env.databaseUrl, { stock: 3 });
    // Redis promises more than PostgreSQL has (as after a drift): PostgreSQL must still refuse the oversell.
    await stock.load(itemId, 10, []);
    const messages = await Promise.all(shoppers.slice(0, 5).map((s) => reserved(itemId, s.id)));
    const dispositions = await handler.handleBatch(messages.map((m) => delivery(m)));
    assert.deepEqual(dispositions, ['ack', 'ack', 'ack', 'ack', 'ack']);

    const rows = await sql<{ uuid: string; status: string; reason: string | null }>(
      env.databaseUrl,
      `SELECT uuid, status, reason FROM order_requests WHERE seckill_good_id = $1`,
      [itemId],
    );
    const byUuid = new Map(rows.map((r) => [r.uuid, r]));
    assert.deepEqual(messages.map((m) => byUuid.get(m.uuid)?.status), ['SUCCESS', 'SUCCESS', 'SUCCESS', 'FAIL', 'FAIL']);
    assert.deepEqual(messages.slice(3).map((m) => byUuid.get(m.uuid)?.reason), ['SOLD_OUT', 'SOLD_OUT']);
    const [good] = await sql<{ stock_left: number }>(env.databaseUrl, `SELECT stock_left FROM seckill_goods WHERE id = $1`, [itemId]);
    assert.equal(good!.stock_left, 0);
    const [orders] = await sql<{ n: string }>(env.databaseUrl, `SELECT count(*) AS n FROM orders WHERE seckill_good_id = $1`, [itemId]);
    assert.equal(Number(orders!.n), 3);
    await results.waitForAll(messages.map((m) => m.uuid), 10_000);
  });
});

describe('a request order-api gave up on (publish unconfirmed, 503 answered, unit returned)', () => {
  it('is dropped without an outcome, and the shopper\'s retry under the same uuid is decided normally', async () => {
    const itemId = await seedSale(env.databaseUrl, { stock: 2 });
    await stock.load(itemId, 2, []);
    const message = await reserved(itemId, shoppers[20]!.id);
    assert.equal(await stock.abandon(itemId, message.userId, message.uuid), true);
    const deliveriesBefore = results.deliveries;

    // The unconfirmed message reached the broker after all: the worker gets it before the retry.
    assert.deepEqual(await handler.handleBatch([delivery(message)]), ['ack']);
    const recorded = () => sql<{ status: string }>(env.databaseUrl, `SELECT status FROM order_requests WHERE uuid = $1`, [message.uuid]);
    assert.deepEqual(await recorded(), []);
    assert.deepEqual(await stock.stockLeft([itemId]), [2]);

    const retry = await stock.reserve(itemId, message.userId, message.uuid);
    assert.equal(retry.kind, 'RESERVED');
    assert.deepEqual(await handler.handleBatch([delivery(message)]), ['ack']);
    await results.waitForAll([message.uuid], 10_000);
    assert.equal(results.results.get(message.uuid)!.status, 'SUCCESS');
    assert.equal(results.deliveries, deliveriesBefore + 1, 'the dropped attempt published nothing');
    assert.deepEqual((await recorded()).map((r) => r.status), ['SUCCESS']);
    assert.deepEqual(await stock.stockLeft([itemId]), [1]);
  });
});

describe('a retry reserved after Redis lost the record of a decided request', () => {
  it('gets its unit returned and the recorded outcome replayed, never a second decision', async () => {
    const itemId = await seedSale(env.databaseUrl, { stock: 5 });
    await stock.load(itemId, 5, []);
    const message = await reserved(itemId, shoppers[21]!.id);
    assert.deepEqual(await handler.handleBatch([delivery(message)]), ['ack']);
    await results.waitForAll([message.uuid], 10_000);
    const first = results.results.get(message.uuid)!;
    const deliveriesBefore = results.deliveries;

    // Redis forgets the request and its buyer (record expired, or a restart reloaded less than it had).
    await redis.del(stock.keys.request(itemId, message.uuid));
    await redis.hdel(stock.keys.buyers(itemId), String(message.userId));
    assert.equal((await stock.reserve(itemId, message.userId, message.uuid)).kind, 'RESERVED');
    assert.deepEqual(await stock.stockLeft([itemId]), [3]);

    assert.deepEqual(await handler.handleBatch([delivery(message)]), ['ack']);
    await results.waitFor(() => results.deliveries >= deliveriesBefore + 1, 10_000, 'the replayed outcome');
    assert.deepEqual(results.results.get(message.uuid), first);
    assert.deepEqual(results.conflicts, []);
    assert.deepEqual(await stock.stockLeft([itemId]), [4], 'the fresh unit went back');
    assert.equal((await stock.request(message.uuid))?.state, 'RELEASED');
    const [count] = await sql<{ n: string }>(env.databaseUrl, `SELECT count(*) AS n FROM orders WHERE uuid = $1`, [message.uuid]);
    assert.equal(Number(count!.n), 1);

    // A plain redelivery afterwards (already released) returns nothing more.
    assert.deepEqual(await handler.handleBatch([delivery(message, 1)]), ['ack']);
    assert.deepEqual(await stock.stockLeft([itemId]), [4]);
  });
});

describe('redelivery of an already-processed message', () => {
  it('replays the recorded outcome instead of deciding again', async () => {
    const itemId = await seedSale(env.databaseUrl, { stock: 5 });
    await stock.load(itemId, 5, []);
    const message = await reserved(itemId, shoppers[10]!.id);
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
    const [good] = await sql<{ stock_left: number }>(env.databaseUrl, `SELECT stock_left FROM seckill_goods WHERE id = $1`, [itemId]);
    assert.equal(good!.stock_left, 4);
  });
});

describe('bad messages', () => {
  it('parks unparseable messages and decides the others', async () => {
    const itemId = await seedSale(env.databaseUrl, { stock: 5 });
    await stock.load(itemId, 5, []);
    const good = await reserved(itemId, shoppers[15]!.id);
    const dispositions = await handler.handleBatch([delivery('{not json'), delivery({ version: 99 }), delivery(good)]);
    assert.deepEqual(dispositions, ['park', 'park', 'ack']);
    const decided = await sql<{ uuid: string }>(env.databaseUrl, `SELECT uuid FROM order_requests WHERE seckill_good_id = $1`, [itemId]);
    assert.deepEqual(decided.map((r) => r.uuid), [good.uuid]);
  });

  it('throws for a batch whose transaction fails, with an error that blames no dependency (a failure, not an outage)', async () => {
    const itemId = await seedSale(env.databaseUrl, { stock: 5 });
    await stock.load(itemId, 5, []);
    // A user id that does not exist violates the orders → users foreign key: the whole batch transaction fails.
    const orphan = await reserved(itemId, 987_654_321);
    const good = await reserved(itemId, shoppers[16]!.id);
    const failed = await handler.handleBatch([delivery(orphan), delivery(good)]).then(
      () => null,
      (err: unknown) => err,
    );
    assert.ok(failed, 'the batch failed');
    assert.equal(faultOrigin(failed), null, `an integrity error is not an outage: ${String(failed)}`);
    assert.deepEqual(await decisionsOf(itemId), new Map(), 'nothing of the failed batch was recorded');
    assert.deepEqual(await handler.handleBatch([delivery(good)]), ['ack'], 'alone, the good one is decided');
  });
});

/**
 * Takes an item's row lock from outside, as another batch's transaction would. Batches then queue on it,
 * which makes "in flight at the same time" certain instead of likely.
 */
async function holdItemLock(itemId: number): Promise<{ release(): Promise<void> }> {
  const client = new Client({ connectionString: env.databaseUrl });
  await client.connect();
  await client.query('BEGIN');
  await client.query('SELECT 1 FROM seckill_goods WHERE id = $1 FOR UPDATE', [itemId]);
  return {
    async release() {
      await client.query('COMMIT');
      await client.end();
    },
  };
}

/** Transactions of this test's database blocked on a lock (PostgreSQL's own view, not a guess from timing). */
async function waitingOnLocks(): Promise<number> {
  const [row] = await sql<{ n: string }>(env.databaseUrl, `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
  return Number(row!.n);
}

/** Re-reads a condition that becomes true when other connections act (bounded). */
async function until(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function decisionsOf(itemId: number): Promise<Map<string, { status: string; reason: string | null }>> {
  const rows = await sql<{ uuid: string; status: string; reason: string | null }>(
    env.databaseUrl,
    `SELECT uuid, status, reason FROM order_requests WHERE seckill_good_id = $1`,
    [itemId],
  );
  return new Map(rows.map((r) => [r.uuid, r]));
}

async function soldOf(itemId: number): Promise<{ stockLeft: number; orders: number; buyers: number }> {
  const [row] = await sql<{ stock_left: number; orders: string; buyers: string }>(
    env.databaseUrl,
    `SELECT g.stock_left, count(o.*) AS orders, count(DISTINCT o.user_id) AS buyers
       FROM seckill_goods g LEFT JOIN orders o ON o.seckill_good_id = g.id WHERE g.id = $1 GROUP BY g.id`,
    [itemId],
  );
  return { stockLeft: row!.stock_left, orders: Number(row!.orders), buyers: Number(row!.buyers) };
}

describe('batches handled at the same time', () => {
  it('queue on the item row and together sell exactly the stock, whichever commits first', async () => {
    const itemId = await seedSale(env.databaseUrl, { stock: 10 });
    // Redis lets everyone through (a drift): PostgreSQL alone decides who gets the 10 units.
    await stock.load(itemId, 30, []);
    const messages = await Promise.all(shoppers.slice(0, 24).map((s) => reserved(itemId, s.id)));
    const lock = await holdItemLock(itemId);
    const handled = [messages.slice(0, 8), messages.slice(8, 16), messages.slice(16)].map((part) => handler.handleBatch(part.map((m) => delivery(m))));
    await until('three batch transactions waiting on the item row', async () => (await waitingOnLocks()) === 3);
    await lock.release();

    for (const dispositions of await Promise.all(handled)) assert.deepEqual(dispositions, Array(8).fill('ack'));
    const decisions = await decisionsOf(itemId);
    assert.equal(decisions.size, 24);
    const statuses = [...decisions.values()];
    assert.equal(statuses.filter((d) => d.status === 'SUCCESS').length, 10);
    assert.ok(statuses.filter((d) => d.status === 'FAIL').every((d) => d.reason === 'SOLD_OUT'));
    assert.deepEqual(await soldOf(itemId), { stockLeft: 0, orders: 10, buyers: 10 });
    await results.waitForAll(messages.map((m) => m.uuid), 10_000);
  });

  it('decide a message that is in two of them (a redelivery racing its original) exactly once, without failing either', async () => {
    const itemId = await seedSale(env.databaseUrl, { stock: 5 });
    await stock.load(itemId, 5, []);
    const [twice, a, b] = await Promise.all(shoppers.slice(30, 33).map((s) => reserved(itemId, s.id)));
    const deliveriesBefore = results.deliveries;
    const repo = app.get(OrderBatchRepository);
    const transactions = mock.method(repo, 'decideAndRecord');
    try {
      const lock = await holdItemLock(itemId);
      // Both batches pass the check outside the transaction (nothing recorded yet) and claim in Redis before
      // either can take the row lock.
      const handled = [handler.handleBatch([delivery(twice), delivery(a)]), handler.handleBatch([delivery(b), delivery(twice, 1)])];
      await until('both batch transactions waiting on the item row', async () => (await waitingOnLocks()) === 2);
      await lock.release();
      assert.deepEqual(await Promise.all(handled), [['ack', 'ack'], ['ack', 'ack']]);
      const settled = await Promise.allSettled(transactions.mock.calls.map((c) => c.result));
      assert.deepEqual(settled.map((r) => r.status), ['fulfilled', 'fulfilled'], 'the second transaction replayed the outcome, no unique-key failure and no one-by-one retry');
    } finally {
      transactions.mock.restore();
    }

    const [rows] = await sql<{ requests: string; orders: string }>(
      env.databaseUrl,
      `SELECT (SELECT count(*) FROM order_requests WHERE uuid = $1) AS requests, (SELECT count(*) FROM orders WHERE uuid = $1) AS orders`,
      [twice!.uuid],
    );
    assert.deepEqual([Number(rows!.requests), Number(rows!.orders)], [1, 1]);
    assert.deepEqual(await soldOf(itemId), { stockLeft: 2, orders: 3, buyers: 3 });
    await results.waitForAll([twice!.uuid, a!.uuid, b!.uuid], 10_000);
    // Each batch publishes the outcome of `twice`: the same one.
    await results.waitFor(() => results.deliveries >= deliveriesBefore + 4 || results.conflicts.length > 0, 10_000, 'both outcomes of the doubled message');
    assert.deepEqual(results.conflicts.filter((c) => c.first.uuid === twice!.uuid), []);
  });
});

/** The product's consumer on the real pending queue around the real handler, watching how many batches overlap. */
function consumer(name: string, prefetch: number, batching: { maxBatch: number; maxInFlight: number }) {
  const seen = { active: 0, peak: 0, started: 0, finished: 0, uuids: new Set<string>(), handled: new Map<string, number>(), errors: [] as string[] };
  const tracked: BatchHandler = async (batch) => {
    seen.started++;
    seen.peak = Math.max(seen.peak, ++seen.active);
    for (const d of batch) {
      seen.uuids.add(d.uuid!);
      seen.handled.set(d.uuid!, (seen.handled.get(d.uuid!) ?? 0) + 1);
    }
    try {
      return await handler.handleBatch(batch);
    } finally {
      seen.active--;
      seen.finished++;
    }
  };
  const logger = { error: (_: object, msg: string) => seen.errors.push(`${name}: ${msg}`), warn: (_: object, msg: string) => seen.errors.push(`${name}: ${msg}`), info: () => undefined };
  const c = new QueueConsumer(
    app.get<AmqpConnectionManager>(AMQP_CONNECTION),
    { source: { kind: 'durable', queue: Queue.PENDING }, prefetch, batch: batching, dependencies: ['postgres', 'redis', 'rabbitmq'], maxFailures: 5 },
    tracked,
    { publisher: app.get(ConfirmedPublisher), probe: app.get(DependencyMonitor), logger },
  );
  return { consumer: c, seen };
}

describe('the pending-orders consumer with batches in flight', () => {
  it('runs at most maxInFlight batches, and a graceful stop lets every one of them finish and ack', async () => {
    const itemId = await seedSale(env.databaseUrl, { stock: 20 });
    await stock.load(itemId, 60, []);
    const messages = await Promise.all(shoppers.slice(0, 60).map((s) => reserved(itemId, s.id)));
    const publisher = app.get(ConfirmedPublisher);
    await Promise.all(messages.map((m) => publisher.publish(Exchange.ORDER, RoutingKey.ORDER_PENDING, m, { uuid: m.uuid })));

    const lock = await holdItemLock(itemId);
    // Prefetch 40 of 60: the first worker holds three batches of up to 10 plus a buffer; 20 stay in the queue.
    const first = consumer('pending-int-first', 40, { maxBatch: 10, maxInFlight: 3 });
    await first.consumer.start();
    await until('three batches waiting on the item row', async () => (await waitingOnLocks()) === 3);
    assert.deepEqual([first.seen.active, first.seen.started], [3, 3], 'no fourth batch while three are in flight');

    let stopped = false;
    const stopping = first.consumer.stop().then(() => (stopped = true));
    assert.equal(await waitingOnLocks(), 3);
    assert.equal(stopped, false, 'stop waits while batches are in flight');
    await lock.release();
    await stopping;
    assert.equal(first.seen.active, 0);
    assert.equal(first.seen.finished, first.seen.started, 'every batch finished before the channel closed');
    assert.ok(first.seen.peak <= 3, `peak ${first.seen.peak}`);
    const decidedByFirst = await decisionsOf(itemId);
    assert.deepEqual([...first.seen.uuids].filter((u) => !decidedByFirst.has(u)), [], 'whatever the first worker took in hand, it decided');

    // A second worker takes the rest; had the first closed before acking, its messages would come back here.
    const second = consumer('pending-int-second', 40, { maxBatch: 10, maxInFlight: 3 });
    await second.consumer.start();
    await results.waitForAll(messages.map((m) => m.uuid), 30_000);
    await second.consumer.stop();
    assert.ok(second.seen.peak <= 3, `peak ${second.seen.peak}`);
    assert.deepEqual([...second.seen.uuids].filter((u) => first.seen.uuids.has(u)), [], 'nothing the first worker acked was delivered again');
    assert.equal(first.seen.uuids.size + second.seen.uuids.size, 60);
    assert.deepEqual([...first.seen.errors, ...second.seen.errors], []);

    assert.equal((await decisionsOf(itemId)).size, 60);
    assert.deepEqual(await soldOf(itemId), { stockLeft: 0, orders: 20, buyers: 20 });
    assert.deepEqual(results.conflicts, []);
    const amqp = await connect(env.amqpUrl);
    try {
      const ch = await amqp.createChannel();
      assert.equal((await ch.checkQueue(Queue.PENDING)).messageCount, 0, 'every message was acked');
    } finally {
      await amqp.close();
    }
  });
});

describe('an outcome whose publish fails after its batch committed', () => {
  it('is retried through the queue: the committed outcome is replayed and published, with no second order and no unit returned', async () => {
    const itemId = await seedSale(env.databaseUrl, { stock: 5 });
    await stock.load(itemId, 5, []);
    const messages = await Promise.all(shoppers.slice(40, 43).map((s) => reserved(itemId, s.id)));
    const unlucky = messages[1]!;
    const publisher = app.get(ConfirmedPublisher);
    const publish = publisher.publish.bind(publisher);
    let committedWhenItFailed: Promise<{ n: string }[]> | undefined;
    // The broker does not confirm the first publish of one outcome (as when it is lost in a connection drop): the
    // message of its batch's outcomes.
    const carriesUnlucky = (body: unknown) => (body as Partial<OrderResultBatchMessage>).results?.some((r) => r.uuid === unlucky.uuid) === true;
    const injected = mock.method(publisher, 'publish', (exchange: string, key: string, body: unknown, meta?: PublishMeta, timeoutMs?: number) => {
      if (exchange === Exchange.RESULT && carriesUnlucky(body) && committedWhenItFailed === undefined) {
        committedWhenItFailed = sql<{ n: string }>(env.databaseUrl, `SELECT count(*) AS n FROM orders WHERE uuid = $1`, [unlucky.uuid]);
        return Promise.reject(new PublishTimeoutError(`publish to ${exchange}/${key} not confirmed in time`));
      }
      return publish(exchange, key, body, meta, timeoutMs);
    });
    const worker = consumer('pending-int-publish-fails', 10, { maxBatch: 10, maxInFlight: 1 });
    try {
      await Promise.all(messages.map((m) => publisher.publish(Exchange.ORDER, RoutingKey.ORDER_PENDING, m, { uuid: m.uuid })));
      await worker.consumer.start();
      await results.waitForAll(messages.map((m) => m.uuid), 30_000);
      await until('the pending queue and its delay queues settled', async () => worker.seen.active === 0 && (await queueDepth(Queue.PENDING)) === 0);
    } finally {
      await worker.consumer.stop();
      injected.mock.restore();
    }

    assert.ok(committedWhenItFailed, 'the outcome\'s publish was attempted (and failed)');
    assert.equal(Number((await committedWhenItFailed)[0]!.n), 1, 'the order was committed before its outcome was published');
    assert.equal(worker.seen.handled.get(unlucky.uuid), 2, 'the message came back through the queue once');
    const decisions = await decisionsOf(itemId);
    assert.deepEqual(messages.map((m) => decisions.get(m.uuid)?.status), ['SUCCESS', 'SUCCESS', 'SUCCESS']);
    assert.deepEqual(await soldOf(itemId), { stockLeft: 2, orders: 3, buyers: 3 }, 'no second order');
    assert.deepEqual(await stock.stockLeft([itemId]), [2], 'the replay returned no unit');
    const [order] = await sql<{ order_no: string }>(env.databaseUrl, `SELECT order_no FROM orders WHERE uuid = $1`, [unlucky.uuid]);
    assert.equal(results.results.get(unlucky.uuid)?.orderNo, order!.order_no, 'the published outcome is the committed one');
    assert.deepEqual(results.conflicts, []);
    assert.equal(await queueDepth(parkingLotName(Queue.PENDING)), 0, 'nothing parked');
  });
});

describe('batches mixing several items', () => {
  it('count per item: sell what each has, fail the rest SOLD_OUT, and let one shopper buy different items', async () => {
    const [x, y, z] = [await seedSale(env.databaseUrl, { stock: 2 }), await seedSale(env.databaseUrl, { stock: 0 }), await seedSale(env.databaseUrl, { stock: 5 })];
    // Redis lets every request through (a drift): PostgreSQL's per-item counts decide.
    for (const id of [x, y, z]) await stock.load(id, 10, []);
    const [s0, s1, s2, s3] = shoppers.slice(44, 48).map((s) => s.id);
    const plan: [number, number][] = [[x, s0!], [z, s0!], [y, s1!], [x, s1!], [z, s1!], [x, s2!], [y, s2!], [z, s2!], [x, s3!]];
    const messages: OrderPlacedMessage[] = [];
    for (const [item, user] of plan) messages.push(await reserved(item, user));
    assert.deepEqual(await handler.handleBatch(messages.map((m) => delivery(m))), Array(plan.length).fill('ack'));

    const statusOf = async (m: OrderPlacedMessage) => {
      const d = (await decisionsOf(m.seckillGoodId)).get(m.uuid);
      return d?.status === 'SUCCESS' ? 'SUCCESS' : d?.reason;
    };
    const decided = await Promise.all(messages.map(statusOf));
    // In arrival order per item: x sells its 2 units to s0 and s1, y has none, z sells to all three.
    assert.deepEqual(decided, ['SUCCESS', 'SUCCESS', 'SOLD_OUT', 'SUCCESS', 'SUCCESS', 'SOLD_OUT', 'SOLD_OUT', 'SUCCESS', 'SOLD_OUT']);
    assert.deepEqual(await soldOf(x), { stockLeft: 0, orders: 2, buyers: 2 });
    assert.deepEqual(await soldOf(y), { stockLeft: 0, orders: 0, buyers: 0 });
    assert.deepEqual(await soldOf(z), { stockLeft: 2, orders: 3, buyers: 3 });
    await results.waitForAll(messages.map((m) => m.uuid), 10_000);
    assert.deepEqual(messages.map((m) => results.results.get(m.uuid)?.status), decided.map((d) => (d === 'SUCCESS' ? 'SUCCESS' : 'FAIL')));
  });

  it('handled at the same time with the items in different orders, queue without deadlock and sell exactly each item\'s stock', async () => {
    const items = [await seedSale(env.databaseUrl, { stock: 3 }), await seedSale(env.databaseUrl, { stock: 1 }), await seedSale(env.databaseUrl, { stock: 4 })];
    for (const id of items) await stock.load(id, 10, []);
    // Four batches, each one request per item, the items in a different order in each.
    const orders = [[0, 1, 2], [2, 1, 0], [1, 2, 0], [2, 0, 1]];
    const batches: OrderPlacedMessage[][] = [];
    for (const [b, order] of orders.entries()) {
      const batch: OrderPlacedMessage[] = [];
      for (const i of order) batch.push(await reserved(items[i]!, shoppers[50 + b]!.id));
      batches.push(batch);
    }
    const repo = app.get(OrderBatchRepository);
    const transactions = mock.method(repo, 'decideAndRecord');
    try {
      // Every item row locked from outside, so all four transactions are in flight, blocked, when they are let go.
      const locks = await Promise.all(items.map((id) => holdItemLock(id)));
      const handled = batches.map((batch) => handler.handleBatch(batch.map((m) => delivery(m))));
      await until('four batch transactions waiting on the item rows', async () => (await waitingOnLocks()) === 4);
      await Promise.all(locks.map((l) => l.release()));
      for (const dispositions of await Promise.all(handled)) assert.deepEqual(dispositions, ['ack', 'ack', 'ack']);
      const settled = await Promise.allSettled(transactions.mock.calls.map((c) => c.result));
      assert.deepEqual(settled.map((r) => (r.status === 'rejected' ? String(r.reason) : r.status)), Array(4).fill('fulfilled'), 'no transaction died (a deadlock would abort one)');
    } finally {
      transactions.mock.restore();
    }
    assert.deepEqual(await Promise.all(items.map(soldOf)), [
      { stockLeft: 0, orders: 3, buyers: 3 },
      { stockLeft: 0, orders: 1, buyers: 1 },
      { stockLeft: 0, orders: 4, buyers: 4 },
    ]);
    for (const [i, id] of items.entries()) {
      const decisions = [...(await decisionsOf(id)).values()];
      assert.equal(decisions.length, 4);
      assert.ok(decisions.filter((d) => d.status === 'FAIL').every((d) => d.reason === 'SOLD_OUT'), `item ${i}`);
    }
    await results.waitForAll(batches.flat().map((m) => m.uuid), 10_000);
  });
});

async function queueDepth(queue: string): Promise<number> {
  const amqp = await connect(env.amqpUrl);
  try {
    const ch = await amqp.createChannel();
    return (await ch.checkQueue(queue)).messageCount;
  } finally {
    await amqp.close();
  }
}
