import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { connect, type ChannelModel } from 'amqplib';
import { appConfig } from '@seckill/config';
import { ConfirmedPublisher, Exchange, ManagementClient, Queue, RoutingKey } from '@seckill/messaging';
import { StockSync } from '@seckill/order-lifecycle';
import type Redis from 'ioredis';
import { REDIS } from '@seckill/redis';
import { StockService } from '@seckill/stock';
import { createTestEnv, seedSale, sql, useInProcess, type TestEnv } from '@seckill/testing';
import { createWorker } from '../create-worker';
import { FenceLifter } from './fence-lifter';

/**
 * An item whose counter Redis lost is held until every order queued before the loss is decided, as RabbitMQ's
 * own statistics show it. The worker runs without its consumers, so an order put in the pending queue stays
 * there, undecided, for as long as the test wants.
 */
let env: TestEnv;
let app: NestFastifyApplication;
let amqp: ChannelModel;
let management: ManagementClient;

before(async () => {
  env = await createTestEnv('fence-lifter');
  // Short waits so the test is quick; the test itself waits for RabbitMQ's statistics to show what it needs.
  useInProcess(env, { LOG_LEVEL: 'fatal', PUBLISH_CONFIRM_TIMEOUT_MS: '200', STRANDED_AFTER_MS: '1000', FENCE_STATS_LAG_MS: '200', FENCE_CHECK_INTERVAL_MS: '3600000' });
  app = await createWorker(appConfig());
  await app.init();
  amqp = await connect(env.amqpUrl);
  management = env.management;
});

after(async () => {
  await amqp?.close();
  await app?.close();
  await env?.cleanup();
});

async function pendingInStatistics(n: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const q = await management.queue(env.vhost, Queue.PENDING).catch(() => undefined);
    if (q && q.messages === n) return;
    if (Date.now() > deadline) throw new Error(`the management API never showed ${n} pending messages (last: ${q?.messages})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('an item held after Redis lost its counter', () => {
  it('is first loaded without a hold, then held once lost, and released only when the queues are empty', async () => {
    const stock = app.get(StockService);
    const sync = app.get(StockSync);
    const lifter = app.get(FenceLifter);
    const itemId = await seedSale(env.databaseUrl, { stock: 10 });
    assert.equal(await sync.ensureLoaded(itemId), 'loaded', 'first load: nothing can be in flight');
    assert.equal(await sync.ensureLoaded(itemId), 'present');

    // An order is queued (its unit reserved in Redis), then Redis loses everything about the item.
    await app.get(ConfirmedPublisher).publish(Exchange.ORDER, RoutingKey.ORDER_PENDING, { queued: 'before the loss' });
    await pendingInStatistics(1);
    await app.get<Redis>(REDIS).del(stock.keys.stock(itemId), stock.keys.buyers(itemId));
    assert.equal(await sync.ensureLoaded(itemId), 'held');
    assert.equal((await stock.reserve(itemId, 1, '00000000-0000-4000-8000-000000000001')).kind, 'RECOVERING');
    await assert.rejects(sync.reconcile(itemId), /held/, 'a reconcile leaves a held item alone');

    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(await lifter.check(), [], 'the order queued before the loss is not decided yet');
    assert.equal((await stock.fenced()).length, 1);

    const ch = await amqp.createChannel();
    await ch.purgeQueue(Queue.PENDING);
    await ch.close();
    await pendingInStatistics(0);
    await sql(env.databaseUrl, `UPDATE seckill_goods SET stock_left = 9 WHERE id = $1`, [itemId]);
    // Released on the first check at which RabbitMQ's statistics show every queue of the order pipeline empty.
    const deadline = Date.now() + 30_000;
    let lifted: number[] = [];
    while (lifted.length === 0 && Date.now() < deadline) {
      lifted = await lifter.check();
      if (lifted.length === 0) await new Promise((r) => setTimeout(r, 250));
    }
    assert.deepEqual(lifted, [itemId]);
    assert.deepEqual(await stock.stockLeft([itemId]), [9], 'rebuilt from PostgreSQL');
    assert.equal(await stock.recovering(), false);
    assert.equal((await stock.reserve(itemId, 1, '00000000-0000-4000-8000-000000000002')).kind, 'RESERVED');
  });
});
