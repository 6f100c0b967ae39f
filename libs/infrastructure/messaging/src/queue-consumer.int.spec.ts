import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Channel, ConsumeMessage } from 'amqplib';
import { DependencyMonitor } from '@seckill/observability';
import type { ConsumerSpec } from './consumer-spec';
import type { Delivery, Disposition } from './delivery';
import { QueueConsumer, type BatchHandler } from './queue-consumer';
import { RetryHeader } from './retry-policy';
import { useTestVhost } from './test-vhost';
import { Exchange, Queue, RoutingKey, declareTopology, parkingLotName } from './topology';

const logger = { error: () => undefined, warn: () => undefined, info: () => undefined };
/** No dependency of these handlers can be down: every failure here is a failure, never an outage. */
const healthy = new DependencyMonitor([], { intervalMs: 1000, downIntervalMs: 1000, timeoutMs: 500 });
const broker = useTestVhost('consumer');

function spec(queue: string, overrides: Partial<ConsumerSpec> = {}): ConsumerSpec {
  return { source: { kind: 'durable', queue }, prefetch: 10, dependencies: [], maxFailures: 3, ...overrides };
}

function consumer(s: ConsumerSpec, handler: BatchHandler): QueueConsumer {
  return new QueueConsumer(broker.manager, s, handler, { publisher: broker.publisher, probe: healthy, logger });
}

/** One message at a time through `handle`. */
const single = (handle: (d: Delivery) => Promise<Disposition>): BatchHandler => async (batch) => [await handle(batch[0]!)];

/** Resolves with the next message that arrives on `queue`. */
function nextMessage(ch: Channel, queue: string): Promise<ConsumeMessage> {
  return new Promise((resolve) => {
    void ch.consume(queue, (msg) => {
      if (!msg) return;
      ch.ack(msg);
      resolve(msg);
    });
  });
}

describe('QueueConsumer', () => {
  it('retries a message that fails while everything answers, then parks it with its history, without holding up the next one', async () => {
    const seen = new Map<string, number>();
    const c = consumer(
      spec(Queue.FAIL_RELEASE),
      single(async (d) => {
        const body = d.body.toString();
        seen.set(body, (seen.get(body) ?? 0) + 1);
        if (body === '"poison"') throw new Error('this message breaks the handler');
        return 'ack';
      }),
    );
    const ch = await broker.raw.createChannel();
    const parked = nextMessage(ch, parkingLotName(Queue.FAIL_RELEASE));
    await c.start();
    await broker.publisher.publish(Exchange.RESULT, RoutingKey.ORDER_FAIL, 'poison');
    await broker.publisher.publish(Exchange.RESULT, RoutingKey.ORDER_FAIL, 'healthy');
    const msg = await parked;
    await c.stop();
    assert.equal(msg.content.toString(), '"poison"');
    assert.equal(msg.properties.headers?.[RetryHeader.FAILURES], 3, 'parked after maxFailures attempts');
    assert.equal(msg.properties.headers?.[RetryHeader.OUTAGES], 0);
    assert.equal(msg.properties.headers?.[RetryHeader.LAST_ERROR], 'this message breaks the handler');
    assert.equal(msg.properties.headers?.['x-seckill-parked-reason'], 'failed');
    assert.deepEqual([seen.get('"poison"'), seen.get('"healthy"')], [3, 1]);
    await ch.close();
  });

  it('parks at once what the handler says can never succeed', async () => {
    let deliveries = 0;
    const c = consumer(
      spec(Queue.FAIL_RELEASE),
      single(async () => {
        deliveries++;
        return 'park';
      }),
    );
    const ch = await broker.raw.createChannel();
    const parked = nextMessage(ch, parkingLotName(Queue.FAIL_RELEASE));
    await c.start();
    await broker.publisher.publish(Exchange.RESULT, RoutingKey.ORDER_FAIL, 'garbage');
    assert.equal((await parked).content.toString(), '"garbage"');
    await c.stop();
    assert.equal(deliveries, 1);
    await ch.close();
  });

  it('batches what is waiting and settles every message of the batch', async () => {
    const n = 300;
    await Promise.all(Array.from({ length: n }, (_, i) => broker.publisher.publish(Exchange.ORDER, RoutingKey.ORDER_PENDING, { i })));
    const sizes: number[] = [];
    let total = 0;
    let done!: () => void;
    const all = new Promise<void>((r) => (done = r));
    const c = consumer(spec(Queue.PENDING, { prefetch: 400, batch: { maxBatch: 100, maxInFlight: 3 } }), async (batch) => {
      sizes.push(batch.length);
      total += batch.length;
      if (total === n) setImmediate(done);
      return batch.map(() => 'ack' as const);
    });
    await c.start();
    await all;
    await c.stop();
    assert.ok(Math.max(...sizes) > 1, `batches: ${sizes.join(',')}`);
    assert.ok(Math.max(...sizes) <= 100);
    const ch = await broker.raw.createChannel();
    assert.equal((await ch.checkQueue(Queue.PENDING)).messageCount, 0, 'every message was acked');
    await ch.close();
  });

  it('splits a failing batch into single messages, so only the bad one is retried', async () => {
    const attempts = new Map<number, number>();
    let decided = 0;
    let allDecided!: () => void;
    const finished = new Promise<void>((r) => (allDecided = r));
    const c = consumer(spec(Queue.PENDING, { prefetch: 50, batch: { maxBatch: 20, maxInFlight: 1 } }), async (batch) => {
      const ids = batch.map((d) => (JSON.parse(d.body.toString()) as { i: number }).i);
      for (const i of ids) attempts.set(i, (attempts.get(i) ?? 0) + 1);
      if (ids.includes(7)) throw new Error('item 7 breaks the transaction');
      decided += ids.length;
      if (decided === 19) allDecided();
      return batch.map(() => 'ack' as const);
    });
    const ch = await broker.raw.createChannel();
    const parked = nextMessage(ch, parkingLotName(Queue.PENDING));
    await Promise.all(Array.from({ length: 20 }, (_, i) => broker.publisher.publish(Exchange.ORDER, RoutingKey.ORDER_PENDING, { i })));
    await c.start();
    await finished;
    assert.deepEqual(JSON.parse((await parked).content.toString()), { i: 7 });
    await c.stop();
    for (let i = 0; i < 20; i++) if (i !== 7) assert.ok((attempts.get(i) ?? 0) <= 2, `message ${i} handled ${attempts.get(i)} times`);
    await ch.close();
  });

  it('refreshes a copy the broker returned often (lost connections), so outages never spend its delivery limit', async () => {
    const ch = await broker.raw.createChannel();
    await declareTopology(ch);
    await broker.publisher.publish(Exchange.DELAY, RoutingKey.ORDER_TIMEOUT, { returned: true });
    // Three returns, as three connections lost with the message in hand would leave it.
    for (let i = 0; i < 3; i++) {
      const msg = await ch.get(Queue.TIMEOUT, { noAck: false });
      assert.ok(msg, 'the message is there');
      ch.nack(msg, false, true);
    }
    const headers: Record<string, unknown>[] = [];
    let handled!: () => void;
    const once = new Promise<void>((r) => (handled = r));
    const c = consumer(
      spec(Queue.TIMEOUT),
      single(async (d) => {
        headers.push(d.headers);
        handled();
        return 'ack';
      }),
    );
    await c.start();
    await once;
    await c.stop();
    assert.equal(headers.length, 1, 'handled once, as a fresh copy');
    assert.equal(headers[0]![RetryHeader.RETURNS], 3, 'the returns are carried over');
    assert.ok(!headers[0]!['x-delivery-count'], 'the broker counts the copy afresh');
    assert.equal((await ch.checkQueue(parkingLotName(Queue.TIMEOUT))).messageCount, 0);
    await ch.close();
  });
});
