import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import { connect, type Channel, type ChannelModel } from 'amqplib';
import { createAmqpConnection } from './amqp-connection';
import { ConfirmedPublisher } from './confirmed-publisher';
import type { Delivery, Disposition } from './delivery';
import { ManagementClient } from './management-client';
import { BatchConsumer, QueueConsumer } from './queue-consumer';
import { DELIVERY_LIMIT, Exchange, QUEUES, Queue, RoutingKey, declarePaymentWindow, declareTopology, parkingLotName, paymentWindowQueue } from './topology';

const AMQP = process.env.TEST_RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const MGMT = new ManagementClient(process.env.TEST_RABBITMQ_MANAGEMENT_URL ?? 'http://guest:guest@127.0.0.1:15672');
const vhost = `seckill-test-topology-${randomUUID().slice(0, 8)}`;
const url = `${AMQP}/${encodeURIComponent(vhost)}`;
const logger = { error: () => undefined, warn: () => undefined };

let raw: ChannelModel;
let manager: AmqpConnectionManager;
let publisher: ConfirmedPublisher;

before(async () => {
  await MGMT.createVhost(vhost, new URL(AMQP).username);
  raw = await connect(url);
  manager = createAmqpConnection({ url, name: 'topology-int' });
  publisher = new ConfirmedPublisher(manager, 5000);
  await publisher.waitForConnect();
});

after(async () => {
  await publisher.close();
  await manager.close();
  await raw.close();
  await MGMT.deleteVhost(vhost);
});

/** Resolves with the next message that arrives on `queue`. */
async function nextMessage(ch: Channel, queue: string): Promise<Buffer> {
  return new Promise((resolve) => {
    void ch.consume(queue, (msg) => {
      if (!msg) return;
      ch.ack(msg);
      resolve(msg.content);
    });
  });
}

describe('topology', () => {
  it('declares on a broker that already has it, without PRECONDITION_FAILED, and keeps queued messages', async () => {
    const ch = await raw.createChannel();
    await declareTopology(ch);
    await publisher.publish(Exchange.ORDER, RoutingKey.ORDER_PENDING, { probe: 1 });
    await declareTopology(ch);
    await declareTopology(await raw.createChannel());
    const pending = await ch.checkQueue(Queue.PENDING);
    assert.equal(pending.messageCount, 1);
    await ch.purgeQueue(Queue.PENDING);
    for (const q of QUEUES) {
      const info = await MGMT.queue(vhost, q.name);
      assert.equal(info.arguments['x-queue-type'], 'quorum', q.name);
      assert.equal(info.arguments['x-delivery-limit'], DELIVERY_LIMIT, q.name);
      await MGMT.queue(vhost, parkingLotName(q.name));
    }
    await ch.close();
  });
});

describe('the payment window', () => {
  it('takes a changed window without PRECONDITION_FAILED, and a long window never blocks a short one', async () => {
    const ch = await raw.createChannel();
    await declareTopology(ch);
    await declarePaymentWindow(ch, 900);
    await declarePaymentWindow(ch, 1);
    await declarePaymentWindow(ch, 900);
    const timeouts = await ch.assertQueue('', { exclusive: true });
    await ch.bindQueue(timeouts.queue, Exchange.DELAY, RoutingKey.ORDER_TIMEOUT);
    const expired = nextMessage(ch, timeouts.queue);
    // The old 15-minute order was queued first; the 1-second one must still time out after about a second.
    await publisher.publish(Exchange.PAYMENT, paymentWindowQueue(900).routingKey, { order: 'long' });
    await publisher.publish(Exchange.PAYMENT, paymentWindowQueue(1).routingKey, { order: 'short' });
    assert.deepEqual(JSON.parse((await expired).toString()), { order: 'short' });
    assert.equal((await ch.checkQueue(paymentWindowQueue(900).name)).messageCount, 1);
    await ch.close();
  });
});

describe('consumers', () => {
  it('parks a message that fails on every delivery after the delivery limit, without blocking the next one', async () => {
    const seen = new Map<string, number>();
    const consumer = new QueueConsumer(manager, { queue: Queue.FAIL_RELEASE, prefetch: 10, name: 'poison', logger }, async (d: Delivery) => {
      const body = d.body.toString();
      seen.set(body, (seen.get(body) ?? 0) + 1);
      return body === '"poison"' ? 'retry' : 'ack';
    });
    const ch = await raw.createChannel();
    const parked = nextMessage(ch, parkingLotName(Queue.FAIL_RELEASE));
    await consumer.start();
    await publisher.publish(Exchange.RESULT, RoutingKey.ORDER_FAIL, 'poison');
    await publisher.publish(Exchange.RESULT, RoutingKey.ORDER_FAIL, 'healthy');
    assert.equal((await parked).toString(), '"poison"');
    await consumer.stop();
    assert.equal(seen.get('"poison"'), DELIVERY_LIMIT + 1);
    assert.equal(seen.get('"healthy"'), 1);
    await ch.close();
  });

  it('parks at once what the handler says can never succeed', async () => {
    let deliveries = 0;
    const consumer = new QueueConsumer(manager, { queue: Queue.FAIL_RELEASE, prefetch: 10, name: 'park', logger }, async () => {
      deliveries++;
      return 'park' as Disposition;
    });
    const ch = await raw.createChannel();
    const parked = nextMessage(ch, parkingLotName(Queue.FAIL_RELEASE));
    await consumer.start();
    await publisher.publish(Exchange.RESULT, RoutingKey.ORDER_FAIL, 'garbage');
    assert.equal((await parked).toString(), '"garbage"');
    await consumer.stop();
    assert.equal(deliveries, 1);
    await ch.close();
  });

  it('batches what is waiting and settles every message of the batch', async () => {
    const n = 300;
    await Promise.all(Array.from({ length: n }, (_, i) => publisher.publish(Exchange.ORDER, RoutingKey.ORDER_PENDING, { i })));
    const sizes: number[] = [];
    let total = 0;
    let done!: () => void;
    const all = new Promise<void>((r) => (done = r));
    const consumer = new BatchConsumer(manager, { queue: Queue.PENDING, prefetch: 400, name: 'batch', logger }, { maxBatch: 100, maxInFlight: 3 }, async (batch) => {
      sizes.push(batch.length);
      total += batch.length;
      if (total === n) setImmediate(done);
      return batch.map(() => 'ack' as const);
    });
    await consumer.start();
    await all;
    await consumer.stop();
    assert.ok(Math.max(...sizes) > 1, `batches: ${sizes.join(',')}`);
    assert.ok(Math.max(...sizes) <= 100);
    const ch = await raw.createChannel();
    assert.equal((await ch.checkQueue(Queue.PENDING)).messageCount, 0, 'every message was acked');
    await ch.close();
  });
});
