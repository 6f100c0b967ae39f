import { randomUUID } from 'node:crypto';
import { after, before } from 'node:test';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import type { ChannelModel } from 'amqplib';
import { splitUrlList, withVhost } from '@seckill/config';
import { createAmqpConnection } from './amqp-connection';
import { connectAmqp } from './any-node';
import { ConfirmedPublisher } from './confirmed-publisher';
import { ManagementClient } from './management-client';

export interface TestVhost {
  vhost: string;
  /** The broker (TEST_RABBITMQ_URL, one node or a list) through this vhost. */
  url: string;
  management: ManagementClient;
  /** A plain amqplib connection, for looking at queues from outside. */
  raw: ChannelModel;
  manager: AmqpConnectionManager;
  publisher: ConfirmedPublisher;
}

/**
 * For this library's own integration suites (libs/testing depends on this library, so they cannot use its
 * createTestEnv): a vhost of their own on the shared broker, created before the suite and deleted after it.
 */
export function useTestVhost(name: string): TestVhost {
  const amqp = process.env.TEST_RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
  const management = new ManagementClient(process.env.TEST_RABBITMQ_MANAGEMENT_URL ?? 'http://guest:guest@127.0.0.1:15672');
  const vhost = `seckill-test-${name}-${randomUUID().slice(0, 8)}`;
  const url = withVhost(amqp, vhost);
  const world = { vhost, management, url } as TestVhost;
  before(async () => {
    await management.createVhost(vhost, new URL(splitUrlList(amqp)[0] ?? amqp).username);
    world.raw = await connectAmqp(url);
    world.manager = createAmqpConnection({ url, name: `${name}-int` });
    world.publisher = new ConfirmedPublisher(world.manager, 5000);
    await world.publisher.waitForConnect();
  });
  after(async () => {
    await world.publisher?.close();
    await world.manager?.close();
    await world.raw?.close();
    await management.deleteVhost(vhost);
  });
  return world;
}
