import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { connect, type ConsumeMessage } from 'amqplib';
import { Client } from 'pg';
import { APP_CONFIG, ConfigModule, type AppConfig } from '@seckill/config';
import { DomainError, ErrorCode, MESSAGE_VERSION, parsePaymentWindowBatch, type OrderPlacedMessage, type PaymentWindowMessage } from '@seckill/contracts';
import { ConfirmedPublisher, declarePaymentWindow, Delivery, MessagingModule, paymentWindowQueue } from '@seckill/messaging';
import { ObservabilityModule } from '@seckill/observability';
import { OrderLifecycleModule, OrderLifecycleService } from '@seckill/order-lifecycle';
import { PersistenceModule } from '@seckill/persistence';
import { StockModule, StockService } from '@seckill/stock';
import { createTestEnv, ResultCollector, seedSale, seedShoppers, sql, useInProcess, type TestEnv } from '@seckill/testing';
import { OrderPlacedHandler } from '../pending-orders/order-placed.handler';
import { PaymentTimeoutHandler } from './payment-timeout.handler';

/**
 * The payment-window timeout against real PostgreSQL, Redis and RabbitMQ: orders are created by the real
 * pending-orders handler, timeouts handed to the real timeout handler, and the calls that must race are held on
 * the order's row lock until all of them wait on it (PostgreSQL's own view), then released together.
 */
@Module({
  imports: [ConfigModule, ObservabilityModule.forRoot('timeout-int', { useFactory: () => [] }), PersistenceModule, StockModule, MessagingModule.forRoot({ connectionName: 'timeout-int' }), OrderLifecycleModule],
  providers: [OrderPlacedHandler, PaymentTimeoutHandler],
})
class HandlersUnderTest {}

let env: TestEnv;
let app: INestApplicationContext;
let placed: OrderPlacedHandler;
let timeouts: PaymentTimeoutHandler;
let lifecycle: OrderLifecycleService;
let stock: StockService;
let results: ResultCollector;
let shoppers: { id: number }[];

before(async () => {
  env = await createTestEnv('payment-timeout');
  useInProcess(env, { LOG_LEVEL: 'fatal' });
  app = await NestFactory.createApplicationContext(HandlersUnderTest, { logger: false });
  placed = app.get(OrderPlacedHandler);
  timeouts = app.get(PaymentTimeoutHandler);
  lifecycle = app.get(OrderLifecycleService);
  stock = app.get(StockService);
  results = await ResultCollector.start(env.amqpUrl);
  shoppers = await seedShoppers(env.databaseUrl, 20);
});

after(async () => {
  await results?.close();
  await app?.close();
  await env?.cleanup();
});

function delivery(body: unknown, previousDeliveries = 0): Delivery {
  const msg = { content: Buffer.from(JSON.stringify(body)), fields: {}, properties: { headers: { 'x-delivery-count': previousDeliveries } } } as unknown as ConsumeMessage;
  return new Delivery(msg, {} as never, () => false);
}

/** An UNPAID order made the way the product makes one (reserved in Redis, decided by the worker), and its timeout. */
async function unpaidOrder(itemId: number, userId: number): Promise<PaymentWindowMessage> {
  const uuid = randomUUID();
  assert.equal((await stock.reserve(itemId, userId, uuid)).kind, 'RESERVED');
  const order: OrderPlacedMessage = { version: MESSAGE_VERSION, uuid, userId, seckillGoodId: itemId, placedAt: new Date().toISOString() };
  assert.deepEqual(await placed.handleBatch([delivery(order)]), ['ack']);
  await results.waitForAll([uuid], 10_000);
  const result = results.results.get(uuid)!;
  assert.equal(result.status, 'SUCCESS');
  // The test hands the timeout over instead of waiting out the window: the order's deadline passes first, as it
  // has by the time the payment-window queue dead-letters it (a timeout never closes an order before its deadline).
  await sql(env.databaseUrl, `UPDATE orders SET pay_deadline = now() - interval '1 second' WHERE order_no = $1`, [result.orderNo]);
  return { version: MESSAGE_VERSION, uuid, orderNo: result.orderNo!, userId, seckillGoodId: itemId };
}

/** Takes an order's row lock from outside, so the calls that race it all queue on it. */
async function holdOrderLock(orderNo: string): Promise<{ release(): Promise<void> }> {
  const client = new Client({ connectionString: env.databaseUrl });
  await client.connect();
  await client.query('BEGIN');
  await client.query('SELECT 1 FROM orders WHERE order_no = $1 FOR UPDATE', [orderNo]);
  return {
    async release() {
      await client.query('COMMIT');
      await client.end();
    },
  };
}

/** Waits until `n` transactions of this test's database are blocked on a lock. */
async function waitingOnLocks(n: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const [row] = await sql<{ n: string }>(env.databaseUrl, `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
    if (Number(row!.n) === n) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${n} transactions on the order's row lock (have ${row!.n})`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function state(itemId: number, orderNo: string): Promise<{ status: string; pgLeft: number; redisLeft: number | null; buyers: number }> {
  const [row] = await sql<{ status: string; stock_left: number }>(
    env.databaseUrl,
    `SELECT o.status, g.stock_left FROM orders o JOIN seckill_goods g ON g.id = o.seckill_good_id WHERE o.order_no = $1`,
    [orderNo],
  );
  const [redisLeft] = await stock.stockLeft([itemId]);
  return { status: row!.status, pgLeft: row!.stock_left, redisLeft: redisLeft ?? null, buyers: await stock.buyerCount(itemId) };
}

const stockBacksOf = (itemId: number) => results.stockBacks.filter((s) => s.seckillGoodId === itemId && s.reason === 'timeout').length;

describe('a payment timeout handled more than once', () => {
  it('closes the order once and returns one unit when two copies are handled at the same time, and again nothing on a later redelivery', async () => {
    const itemId = await seedSale(env.databaseUrl, { stock: 3 });
    await stock.load(itemId, 3, []);
    const window = await unpaidOrder(itemId, shoppers[0]!.id);
    assert.deepEqual(await state(itemId, window.orderNo), { status: 'UNPAID', pgLeft: 2, redisLeft: 2, buyers: 1 });

    const lock = await holdOrderLock(window.orderNo);
    const copies = [timeouts.handle(delivery(window)), timeouts.handle(delivery(window, 1))];
    await waitingOnLocks(2);
    await lock.release();
    assert.deepEqual(await Promise.all(copies), ['ack', 'ack']);
    assert.deepEqual(await state(itemId, window.orderNo), { status: 'TIMEOUT', pgLeft: 3, redisLeft: 3, buyers: 0 }, 'one unit back in PostgreSQL and in Redis');
    await results.waitFor(() => results.statusesOf(window.uuid).length > 0 && stockBacksOf(itemId) > 0, 10_000, 'the TIMEOUT status and the stock-back broadcast');
    assert.deepEqual(results.statusesOf(window.uuid), ['TIMEOUT']);

    // Redelivered after both finished (an ack lost): the follow-up steps run again and change nothing.
    assert.equal(await timeouts.handle(delivery(window, 2)), 'ack');
    assert.deepEqual(await state(itemId, window.orderNo), { status: 'TIMEOUT', pgLeft: 3, redisLeft: 3, buyers: 0 });
    assert.deepEqual(results.statusesOf(window.uuid), ['TIMEOUT']);
    const [orders] = await sql<{ n: string }>(env.databaseUrl, `SELECT count(*) AS n FROM orders WHERE seckill_good_id = $1`, [itemId]);
    assert.equal(Number(orders!.n), 1);
  });
});

describe('a cancel racing the payment timeout', () => {
  it('lets exactly one of them close the order, with one unit back, and each wins some rounds', async () => {
    const rounds = 6;
    const itemId = await seedSale(env.databaseUrl, { stock: rounds });
    await stock.load(itemId, rounds, []);
    const wins = { cancel: 0, timeout: 0 };
    for (let i = 0; i < rounds; i++) {
      const window = await unpaidOrder(itemId, shoppers[1 + i]!.id);
      const before = await state(itemId, window.orderNo);
      const lock = await holdOrderLock(window.orderNo);
      const cancel = () =>
        lifecycle.cancel(window.userId, window.orderNo).then(
          (view) => view.status,
          (err: unknown) => {
            if (err instanceof DomainError && err.code === ErrorCode.ORDER_NOT_CANCELLABLE) return 'refused';
            throw err;
          },
        );
      const timeout = () => timeouts.handle(delivery(window));
      // Both wait on the order's row lock when it is released; the one that queued first goes first, and the
      // order of queueing alternates so that either may win.
      let cancelled: Promise<string>;
      let timedOut: Promise<string>;
      if (i % 2 === 0) {
        cancelled = cancel();
        await waitingOnLocks(1);
        timedOut = timeout();
      } else {
        timedOut = timeout();
        await waitingOnLocks(1);
        cancelled = cancel();
      }
      await waitingOnLocks(2);
      await lock.release();
      const [byCancel, byTimeout] = await Promise.all([cancelled, timedOut]);
      assert.equal(byTimeout, 'ack');
      const after = await state(itemId, window.orderNo);
      if (byCancel === 'CANCELLED') wins.cancel++;
      else {
        assert.equal(byCancel, 'refused', `round ${i}`);
        wins.timeout++;
      }
      assert.equal(after.status, byCancel === 'CANCELLED' ? 'CANCELLED' : 'TIMEOUT', `round ${i}`);
      assert.equal(after.pgLeft, before.pgLeft + 1, `round ${i}: one unit back in PostgreSQL`);
      assert.equal(after.redisLeft, before.redisLeft! + 1, `round ${i}: one unit back in Redis`);
      assert.equal(after.buyers, before.buyers - 1, `round ${i}: the shopper may order again`);
      await results.waitFor(() => results.statusesOf(window.uuid).length > 0, 10_000, 'the closing status');
      assert.deepEqual(results.statusesOf(window.uuid), [after.status], `round ${i}: only the winner announced`);
    }
    assert.ok(wins.cancel > 0 && wins.timeout > 0, `cancel won ${wins.cancel}, timeout won ${wins.timeout}`);
    const [good] = await sql<{ stock_left: number }>(env.databaseUrl, `SELECT stock_left FROM seckill_goods WHERE id = $1`, [itemId]);
    assert.equal(good!.stock_left, rounds, 'every unit came back exactly once');
    assert.deepEqual(await stock.stockLeft([itemId]), [rounds]);
  });
});

describe('the payment window of a whole batch', () => {
  it('is one message for the batch; its expiry closes each unpaid order once (two copies at the same time), leaves the paid one, and re-arms the one not yet due', async () => {
    const itemId = await seedSale(env.databaseUrl, { stock: 4 });
    await stock.load(itemId, 4, []);
    const seconds = app.get<AppConfig>(APP_CONFIG).PAYMENT_WINDOW_SECONDS;
    const window = paymentWindowQueue(seconds);
    // The worker declares its window queue at boot (PaymentWindowDeclarer); this module has only the handlers.
    await app.get(ConfirmedPublisher).declare((ch) => declarePaymentWindow(ch, seconds));
    const amqp = await connect(env.amqpUrl);
    try {
      const ch = await amqp.createChannel();
      await ch.purgeQueue(window.name);
      const buyers = shoppers.slice(10, 14);
      const placedAt = new Date().toISOString();
      const messages: OrderPlacedMessage[] = [];
      for (const s of buyers) {
        const uuid = randomUUID();
        assert.equal((await stock.reserve(itemId, s.id, uuid)).kind, 'RESERVED');
        messages.push({ version: MESSAGE_VERSION, uuid, userId: s.id, seckillGoodId: itemId, placedAt });
      }
      assert.deepEqual(await placed.handleBatch(messages.map((m) => delivery(m))), ['ack', 'ack', 'ack', 'ack']);
      await results.waitForAll(messages.map((m) => m.uuid), 10_000);

      // One message for the batch, listing every order it created.
      assert.equal((await ch.checkQueue(window.name)).messageCount, 1);
      const got = await ch.get(window.name, { noAck: true });
      assert.ok(got, 'the batch window message');
      const batch = parsePaymentWindowBatch(got.content);
      assert.deepEqual(batch.orders.map((o) => o.uuid).sort(), messages.map((m) => m.uuid).sort());
      const orderNo = (uuid: string) => batch.orders.find((o) => o.uuid === uuid)!.orderNo;
      const [paid, notDue, ...unpaid] = messages.map((m) => orderNo(m.uuid));
      await lifecycle.pay(messages[0]!.userId, paid!);
      // As in unpaidOrder: the deadlines of the orders left unpaid pass first, except the one that must not be due.
      await sql(env.databaseUrl, `UPDATE orders SET pay_deadline = now() - interval '1 second' WHERE order_no = ANY($1)`, [unpaid]);
      const before = await state(itemId, unpaid[0]!);

      const copies = [timeouts.handle(delivery(batch)), timeouts.handle(delivery(batch, 1))];
      assert.deepEqual(await Promise.all(copies), ['ack', 'ack']);

      const statusOf = async (no: string) => (await sql<{ status: string }>(env.databaseUrl, `SELECT status FROM orders WHERE order_no = $1`, [no]))[0]!.status;
      assert.deepEqual(await Promise.all([paid!, notDue!, ...unpaid].map(statusOf)), ['PAID', 'UNPAID', 'TIMEOUT', 'TIMEOUT']);
      const after = await state(itemId, unpaid[0]!);
      assert.equal(after.pgLeft, before.pgLeft + 2, 'two units back in PostgreSQL, each once');
      assert.equal(after.redisLeft, before.redisLeft! + 2, 'two units back in Redis, each once');
      assert.equal(after.buyers, before.buyers - 2);
      const timedOut = messages.slice(2).map((m) => m.uuid);
      await results.waitFor(() => timedOut.every((u) => results.statusesOf(u).length > 0), 10_000, 'the TIMEOUT statuses');
      for (const u of timedOut) assert.deepEqual(results.statusesOf(u), ['TIMEOUT']);

      // Each copy re-armed the order not yet due (a duplicate window is harmless: it closes the order once).
      const rearmed: string[][] = [];
      for (let m = await ch.get(window.name, { noAck: true }); m; m = await ch.get(window.name, { noAck: true })) rearmed.push(parsePaymentWindowBatch(m.content).orders.map((o) => o.orderNo));
      assert.deepEqual(rearmed, [[notDue!], [notDue!]]);
    } finally {
      await amqp.close();
    }
  });
});
