import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { after, describe, it } from 'node:test';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import { nodeAddress, splitUrlList } from '@seckill/config';
import { DependencyMonitor } from '@seckill/observability';
import { createAmqpConnection } from './amqp-connection';
import { connectAmqp } from './any-node';
import { ConfirmedPublisher } from './confirmed-publisher';
import { QueueConsumer } from './queue-consumer';
import { rabbitmqCheck } from './rabbitmq.check';
import { useTestVhost } from './test-vhost';
import { Exchange, Queue, RoutingKey } from './topology';
import { StandInNodes } from './stand-in-nodes';

/**
 * RABBITMQ_URL listing several nodes, the first of which is gone: the shared broker (through a vhost of this
 * suite) is the node that answers. The node that goes away while in use is in tools/src/chaos/servers
 * (amqp-node-failover.int.spec.ts), which can start a broker of its own to kill.
 */
const broker = useTestVhost('nodes');
const healthy = new DependencyMonitor([], { intervalMs: 1000, downIntervalMs: 1000, timeoutMs: 500 });
const nodes = new StandInNodes();
const closing: (() => Promise<unknown>)[] = [];

after(async () => {
  for (const close of closing.reverse()) await close();
  await nodes.close();
});

/** The shared broker's node, in the suite's vhost, with another node in front of it. */
const listWithFirst = (port: number) => `amqp://guest:guest@127.0.0.1:${port}/${encodeURIComponent(broker.vhost)},${broker.url}`;

interface Logged {
  level: string;
  obj: Record<string, unknown>;
  msg: string;
}

/** A connection over `urls` in the order given, with what it logs and a consumer and publisher on it. */
async function connectedPair(urls: string, connectTimeoutMs?: number) {
  const logged: Logged[] = [];
  const logger = {
    error: (obj: object, msg: string) => logged.push({ level: 'error', obj: obj as Record<string, unknown>, msg }),
    warn: (obj: object, msg: string) => logged.push({ level: 'warn', obj: obj as Record<string, unknown>, msg }),
    info: (obj: object, msg: string) => logged.push({ level: 'info', obj: obj as Record<string, unknown>, msg }),
  };
  const manager: AmqpConnectionManager = createAmqpConnection({ url: urls, name: 'nodes-int', logger, keepOrder: true, ...(connectTimeoutMs ? { connectTimeoutMs } : {}) });
  const failed: { url: unknown; err: Error }[] = [];
  manager.on('connectFailed', ({ err, url }) => failed.push({ err, url }));
  const connected = once(manager, 'connect') as Promise<[{ url: unknown }]>;
  const publisher = new ConfirmedPublisher(manager, 5000);
  const received: string[] = [];
  const waiters: { body: string; resolve: () => void }[] = [];
  const consumer = new QueueConsumer(
    manager,
    { source: { kind: 'durable', queue: Queue.FAIL_RELEASE }, prefetch: 10, dependencies: [], maxFailures: 3 },
    async (batch) =>
      batch.map((d) => {
        const body = JSON.parse(d.body.toString()) as string;
        received.push(body);
        for (const w of waiters.filter((x) => x.body === body)) w.resolve();
        return 'ack' as const;
      }),
    { publisher, probe: healthy, logger },
  );
  let closed = false;
  /** Each test closes its pair, so the next one's consumer is the only one on the queue. */
  const close = async () => {
    if (closed) return;
    closed = true;
    await consumer.stop(1000);
    await publisher.close();
    await manager.close();
  };
  closing.push(close);
  const arrival = (body: string) => (received.includes(body) ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ body, resolve })));
  const [{ url }] = await connected;
  await consumer.start();
  return { manager, publisher, logged, failed, url, arrival, close };
}

describe('a connection over several nodes', () => {
  it('passes over a node that refuses (closed port) and publishes with a confirm and consumes on the next', async () => {
    const dead = await nodes.closedPort();
    const c = await connectedPair(listWithFirst(dead));
    assert.equal(c.url, broker.url, 'connected to the node after the refusing one');
    assert.equal(c.failed.length, 1);
    assert.equal(nodeAddress(String(c.failed[0]?.url)), `127.0.0.1:${dead}`);
    assert.match(c.failed[0]?.err.message ?? '', /ECONNREFUSED/);

    const arrived = c.arrival('via-the-second-node');
    await c.publisher.publish(Exchange.RESULT, RoutingKey.ORDER_FAIL, 'via-the-second-node');
    await arrived;
    assert.equal(await rabbitmqCheck(c.manager, c.publisher).check(), true, 'ready');

    // Operators read which node each attempt went to, never a password.
    const shared = nodeAddress(splitUrlList(broker.url)[0] ?? '');
    assert.deepEqual(
      c.logged.filter((l) => l.msg.startsWith('RabbitMQ conn')).map((l) => [l.level, l.obj.node, l.msg]),
      [
        ['warn', `127.0.0.1:${dead}`, 'RabbitMQ connection attempt failed; retrying'],
        ['info', shared, 'RabbitMQ connected'],
      ],
    );
    assert.ok(c.logged.every((l) => !JSON.stringify(l.obj).includes('guest:guest')));
    await c.close();
  });

  it('gives up on a node that accepts but never speaks after the connect timeout, and uses the next', async () => {
    // Stands for a node cut off behind a partition: without the timeout the attempt would wait on the kernel.
    const silent = await nodes.listen(createServer(() => undefined));
    const c = await connectedPair(listWithFirst(silent), 300);
    assert.equal(c.url, broker.url);
    assert.equal(c.failed[0]?.err.message, 'connect ETIMEDOUT');
    const arrived = c.arrival('after-a-silent-node');
    await c.publisher.publish(Exchange.RESULT, RoutingKey.ORDER_FAIL, 'after-a-silent-node');
    await arrived;
    await c.close();
  });

  it('a short-lived connection (connectAmqp) takes the first node that accepts, and fails as one node would when none does', async () => {
    const dead = await nodes.closedPort();
    const conn = await connectAmqp(listWithFirst(dead));
    const ch = await conn.createChannel();
    assert.equal((await ch.checkQueue(Queue.FAIL_RELEASE)).queue, Queue.FAIL_RELEASE, 'in the suite\'s vhost, on the shared node');
    await conn.close();

    const other = await nodes.closedPort();
    await assert.rejects(connectAmqp(`amqp://guest:guest@127.0.0.1:${dead},amqp://guest:guest@127.0.0.1:${other}`), (err: NodeJS.ErrnoException) => {
      assert.equal(err.code, 'ECONNREFUSED');
      assert.match(err.message, new RegExp(`:${other}$`), 'the last node\'s error');
      return true;
    });
  });
});
