import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import { nodeAddress, withVhost } from '@seckill/config';
import { DependencyMonitor } from '@seckill/observability';
import {
  ConfirmedPublisher,
  createAmqpConnection,
  Exchange,
  ManagementClient,
  Queue,
  QueueConsumer,
  rabbitmqCheck,
  RoutingKey,
} from '@seckill/messaging';
import { freePort, SHARED_SERVERS } from '@seckill/testing';
import { PrivateRabbitMq } from './rabbitmq-server';

/**
 * A process whose RabbitMQ node goes away moves to another node of RABBITMQ_URL: the publisher's confirms and
 * the consumer resume there. The list is [a private node of this test, the shared node]; the private node is
 * killed (SIGKILL: no goodbye to the clients) while a publisher and a consumer are connected to it.
 *
 * The two nodes are not one cluster (joining the shared node to a cluster would mean stopping it), so each has
 * the suite's vhost and topology of its own and what was queued on the killed node stays there. What is proven
 * is the client side: the move to the next node, and both roles working there without a restart.
 */
const vhost = `seckill-test-failover-${randomBytes(4).toString('hex')}`;
const healthy = new DependencyMonitor([], { intervalMs: 1000, downIntervalMs: 1000, timeoutMs: 500 });
const logger = { error: () => undefined, warn: () => undefined, info: () => undefined };
let dir: string;
let node: PrivateRabbitMq;
let manager: AmqpConnectionManager;
let publisher: ConfirmedPublisher;
let consumer: QueueConsumer;
const sharedManagement = new ManagementClient(SHARED_SERVERS.management);
const received: string[] = [];
const waiters: { body: string; resolve: () => void }[] = [];
const arrival = (body: string) => (received.includes(body) ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ body, resolve })));

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'seckill-failover-'));
  chmodSync(dir, 0o755); // the rabbitmq user must reach its subdirectory
  node = new PrivateRabbitMq(join(dir, 'rabbitmq'), { amqp: await freePort(), dist: await freePort(), management: await freePort() }, `failover-${randomBytes(3).toString('hex')}@localhost`);
  node.prepare();
  await node.start();
  await new ManagementClient(node.managementUrl).createVhost(vhost, 'guest');
  await sharedManagement.createVhost(vhost, 'guest');
});

after(async () => {
  await consumer?.stop(1000);
  await publisher?.close();
  await manager?.close();
  await node?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
  await sharedManagement.deleteVhost(vhost);
});

/** SIGKILL to the node's Erlang VM: the OS closes its sockets, as when the machine's process dies. */
function kill(rabbit: PrivateRabbitMq): void {
  process.kill(Number(readFileSync(join(dir, 'rabbitmq', 'pid'), 'utf8').trim()), 'SIGKILL');
  rabbit.running = false;
}

describe('a node of RABBITMQ_URL goes away', () => {
  it('publisher and consumer move to the next node and carry on there', async () => {
    const privateNode = withVhost(node.amqpUrl, vhost);
    const sharedNode = withVhost(SHARED_SERVERS.amqp, vhost);
    manager = createAmqpConnection({ url: `${privateNode},${sharedNode}`, name: 'failover-int', keepOrder: true, logger });
    const first = once(manager, 'connect') as Promise<[{ url: string }]>;
    publisher = new ConfirmedPublisher(manager, 5000);
    consumer = new QueueConsumer(
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
    assert.equal(nodeAddress((await first)[0].url), `127.0.0.1:${node.ports.amqp}`, 'the first node listed');
    await consumer.start();
    const firstArrived = arrival('on-the-private-node');
    await publisher.publish(Exchange.RESULT, RoutingKey.ORDER_FAIL, 'on-the-private-node');
    await firstArrived;

    const lost = once(manager, 'disconnect');
    const next = once(manager, 'connect') as Promise<[{ url: string }]>;
    kill(node);
    await lost;
    assert.equal(nodeAddress((await next)[0].url), nodeAddress(SHARED_SERVERS.amqp), 'the next node listed');

    const nextArrived = arrival('on-the-next-node');
    await publisher.publish(Exchange.RESULT, RoutingKey.ORDER_FAIL, 'on-the-next-node'); // resolves on the broker's confirm
    await nextArrived;
    assert.equal(await rabbitmqCheck(manager, publisher).check(), true, 'ready again');
    assert.equal(consumer.state().ready, true, 'the consumer is attached on the next node');
    assert.deepEqual(received, ['on-the-private-node', 'on-the-next-node']);
  });
});
