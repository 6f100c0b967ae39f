import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Channel } from 'amqplib';
import { useTestVhost } from './test-vhost';
import { DELIVERY_LIMIT, Exchange, QUEUES, Queue, RETRY_DELAYS, RoutingKey, declarePaymentWindow, declareTopology, parkingLotName, paymentWindowQueue, retryQueueName, retryRoutingKey } from './topology';

const broker = useTestVhost('topology');

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
    const ch = await broker.raw.createChannel();
    await declareTopology(ch);
    await broker.publisher.publish(Exchange.ORDER, RoutingKey.ORDER_PENDING, { probe: 1 });
    await declareTopology(ch);
    await declareTopology(await broker.raw.createChannel());
    const pending = await ch.checkQueue(Queue.PENDING);
    assert.equal(pending.messageCount, 1);
    await ch.purgeQueue(Queue.PENDING);
    for (const q of QUEUES) {
      const info = await broker.management.queue(broker.vhost, q.name);
      assert.equal(info.arguments['x-queue-type'], 'quorum', q.name);
      assert.equal(info.arguments['x-delivery-limit'], DELIVERY_LIMIT, q.name);
      await broker.management.queue(broker.vhost, parkingLotName(q.name));
    }
    for (const d of RETRY_DELAYS) {
      const info = await broker.management.queue(broker.vhost, retryQueueName(d));
      assert.equal(info.arguments['x-message-ttl'], d.ms, retryQueueName(d));
    }
    await ch.close();
  });

  it('brings a message sent through a delay queue back to its own queue once the delay is over, and only there', async () => {
    const ch = await broker.raw.createChannel();
    await declareTopology(ch);
    const started = Date.now();
    await broker.publisher.publish(Exchange.RETRY, retryRoutingKey(RETRY_DELAYS[0], Queue.TIMEOUT), { back: 'timeout' });
    assert.equal((await ch.checkQueue(retryQueueName(RETRY_DELAYS[0]))).messageCount, 1, 'waiting in the 1 s delay queue');
    const body = await nextMessage(ch, Queue.TIMEOUT);
    assert.deepEqual(JSON.parse(body.toString()), { back: 'timeout' });
    assert.ok(Date.now() - started >= RETRY_DELAYS[0].ms - 50, `came back after ${Date.now() - started} ms`);
    for (const q of QUEUES.filter((q) => q.name !== Queue.TIMEOUT)) assert.equal((await ch.checkQueue(q.name)).messageCount, 0, q.name);
    await ch.close();
  });
});

describe('the payment window', () => {
  it('takes a changed window without PRECONDITION_FAILED, and a long window never blocks a short one', async () => {
    const ch = await broker.raw.createChannel();
    await declareTopology(ch);
    await declarePaymentWindow(ch, 900);
    await declarePaymentWindow(ch, 1);
    await declarePaymentWindow(ch, 900);
    const timeouts = await ch.assertQueue('', { exclusive: true });
    await ch.bindQueue(timeouts.queue, Exchange.DELAY, RoutingKey.ORDER_TIMEOUT);
    const expired = nextMessage(ch, timeouts.queue);
    // The old 15-minute order was queued first; the 1-second one must still time out after about a second.
    await broker.publisher.publish(Exchange.PAYMENT, paymentWindowQueue(900).routingKey, { order: 'long' });
    await broker.publisher.publish(Exchange.PAYMENT, paymentWindowQueue(1).routingKey, { order: 'short' });
    assert.deepEqual(JSON.parse((await expired).toString()), { order: 'short' });
    assert.equal((await ch.checkQueue(paymentWindowQueue(900).name)).messageCount, 1);
    await ch.close();
  });
});
