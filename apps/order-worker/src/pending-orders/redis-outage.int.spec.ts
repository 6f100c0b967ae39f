import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { connect } from 'amqplib';
import { appConfig } from '@seckill/config';
import { MESSAGE_VERSION, type OrderPlacedMessage } from '@seckill/contracts';
import { ConfirmedPublisher, Exchange, Queue, RoutingKey, parkingLotName } from '@seckill/messaging';
import { DependencyMonitor, metricsRegistry } from '@seckill/observability';
import { StockService } from '@seckill/stock';
import { createTestEnv, PrivateRedis, ResultCollector, seedSale, seedShoppers, sql, useInProcess, type TestEnv } from '@seckill/testing';
import { createWorker } from '../create-worker';

/**
 * The real worker (its consumers, handlers and dependency monitor) on a Redis of this test's own, which the test
 * kills mid-sale and brings back empty: the pending-orders consumer must wait the outage out — pause, keep its
 * messages, park none — and decide every order once Redis is back.
 */
let env: TestEnv;
let redisServer: PrivateRedis;
let app: NestFastifyApplication;
let results: ResultCollector;

before(async () => {
  env = await createTestEnv('worker-redis-outage');
  redisServer = await PrivateRedis.start();
  // Two failures while everything answers would park a message: the outage must never count as one.
  useInProcess(env, { REDIS_URL: redisServer.url, LOG_LEVEL: 'fatal', MAX_DELIVERIES: '2', DEPENDENCY_PROBE_INTERVAL_MS: '500' });
  results = await ResultCollector.start(env.amqpUrl);
  app = await createWorker(appConfig());
  await app.init();
  await app.startAllMicroservices();
});

after(async () => {
  await app?.close();
  await results?.close();
  await redisServer?.stop();
  await env?.cleanup();
});

function pendingConsumer(): { ready: boolean; detail?: string } {
  const part = app.get(DependencyMonitor).readinessParts().find((p) => p.name === `consumer:${Queue.PENDING}`);
  assert.ok(part, 'the pending consumer is part of readiness');
  return part.state();
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function metric(name: string, labels: Record<string, string>): Promise<number> {
  const m = (await metricsRegistry.getMetricsAsJSON()).find((x) => x.name === name);
  const v = m?.values.find((s) => Object.entries(labels).every(([k, val]) => s.labels[k] === val));
  return v?.value ?? 0;
}

describe('a Redis outage mid-sale', () => {
  it('pauses the pending consumer, parks nothing, and decides every order once Redis is back (empty)', async () => {
    const stock = app.get(StockService);
    const publisher = app.get(ConfirmedPublisher);
    const itemId = await seedSale(env.databaseUrl, { stock: 30 });
    const shoppers = await seedShoppers(env.databaseUrl, 40);
    await stock.load(itemId, 30, []);
    const order = async (userId: number, reserve: boolean): Promise<OrderPlacedMessage> => {
      const uuid = randomUUID();
      if (reserve) assert.equal((await stock.reserve(itemId, userId, uuid)).kind, 'RESERVED');
      const m: OrderPlacedMessage = { version: MESSAGE_VERSION, uuid, userId, seckillGoodId: itemId, placedAt: new Date().toISOString() };
      await publisher.publish(Exchange.ORDER, RoutingKey.ORDER_PENDING, m, { uuid });
      return m;
    };

    const before = await Promise.all(shoppers.slice(0, 10).map((s) => order(s.id, true)));
    await results.waitForAll(before.map((m) => m.uuid), 30_000);

    await redisServer.stop();
    // Queued before the outage was noticed, or while it lasts: their reservations went with Redis.
    const during = await Promise.all(shoppers.slice(10, 40).map((s) => order(s.id, false)));
    await until('the pending consumer paused', () => !pendingConsumer().ready);
    assert.match(pendingConsumer().detail ?? '', /paused: waiting for redis/);
    await until('every order of the outage sent to wait', async () => (await metric('seckill_message_retries_total', { queue: Queue.PENDING, cause: 'outage' })) >= 1);
    // The probe keeps finding Redis down: the consumer stays paused, however long that takes.
    await app.get(DependencyMonitor).probe();
    assert.equal(pendingConsumer().ready, false);

    await redisServer.start();
    await results.waitForAll(during.map((m) => m.uuid), 60_000);
    await until('the pending consumer resumed', () => pendingConsumer().ready);

    const decided = await sql<{ status: string; n: string }>(env.databaseUrl, `SELECT status, count(*) AS n FROM order_requests WHERE seckill_good_id = $1 GROUP BY status ORDER BY status`, [itemId]);
    assert.deepEqual(decided.map((r) => [r.status, Number(r.n)]), [['FAIL', 10], ['SUCCESS', 30]], 'every order decided once, the stock sold exactly');
    assert.deepEqual(results.conflicts, []);
    assert.equal(await metric('seckill_messages_parked_total', { queue: Queue.PENDING }), 0);
    const amqp = await connect(env.amqpUrl);
    try {
      const ch = await amqp.createChannel();
      assert.equal((await ch.checkQueue(parkingLotName(Queue.PENDING))).messageCount, 0, 'nothing parked');
      assert.equal((await ch.checkQueue(Queue.PENDING)).messageCount, 0, 'nothing left waiting');
    } finally {
      await amqp.close();
    }
  });
});
