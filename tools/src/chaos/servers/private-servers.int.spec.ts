import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { connect } from 'amqplib';
import Redis from 'ioredis';
import { Client } from 'pg';
import { ManagementClient } from '@seckill/messaging';
import { run } from './command';
import { PrivateServers } from './private-servers';
import { ping } from './redis-server';

/**
 * The chaos suite's own servers: they start on free ports, answer, survive (or, for Redis, deliberately do not
 * survive) a stop and start, and leave nothing behind.
 */
let servers: PrivateServers;

const pgQuery = async <T extends object>(url: string, text: string): Promise<T[]> => {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text)).rows as T[];
  } finally {
    await c.end();
  }
};

before(async () => {
  servers = await PrivateServers.start();
});

after(async () => {
  await servers?.destroy();
});

describe('private servers', () => {
  it('run on ports of their own, not the shared ones', () => {
    const ports = [servers.postgres.port, servers.redis.port, servers.rabbitmq.ports.amqp, servers.rabbitmq.ports.management];
    for (const shared of [5432, 6379, 5672, 15672]) assert.ok(!ports.includes(shared), `port ${shared} is the shared server's`);
  });

  it('PostgreSQL answers, and keeps its data across a stop and start', async () => {
    await pgQuery(servers.postgres.url, `CREATE TABLE survivor (v text); INSERT INTO survivor VALUES ('kept')`);
    await servers.postgres.stop('fast');
    await assert.rejects(pgQuery(servers.postgres.url, 'SELECT 1'), 'refused while stopped');
    await servers.postgres.start();
    assert.deepEqual(await pgQuery(servers.postgres.url, 'SELECT v FROM survivor'), [{ v: 'kept' }]);
  });

  it('Redis answers, and a restart leaves it empty', async () => {
    const redis = new Redis(servers.redis.url, { maxRetriesPerRequest: 1, lazyConnect: true });
    try {
      await redis.connect();
      await redis.set('chaos:key', 'v');
      assert.equal(await redis.get('chaos:key'), 'v');
    } finally {
      redis.disconnect();
    }
    await servers.redis.kill();
    assert.equal(await ping(servers.redis.port), false, 'gone after the kill');
    await servers.redis.start();
    const again = new Redis(servers.redis.url, { maxRetriesPerRequest: 1, lazyConnect: true });
    try {
      await again.connect();
      assert.equal(await again.get('chaos:key'), null, 'nothing survived');
    } finally {
      again.disconnect();
    }
  });

  it('RabbitMQ answers on AMQP and the management API, and keeps a durable queue and its message across a restart', async () => {
    const management = new ManagementClient(servers.rabbitmq.managementUrl);
    await management.createVhost('chaos-int', 'guest');
    const url = `${servers.rabbitmq.amqpUrl}/chaos-int`;
    const conn = await connect(url);
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('survivor', { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    ch.sendToQueue('survivor', Buffer.from('kept'), { persistent: true });
    await ch.waitForConfirms();
    await conn.close();

    await servers.rabbitmq.stop();
    await assert.rejects(connect(url).then((c) => c.close()), 'refused while stopped');
    await servers.rabbitmq.start();

    const queue = await management.queue('chaos-int', 'survivor');
    assert.equal(queue.arguments['x-queue-type'], 'quorum');
    const again = await connect(url);
    try {
      const ch2 = await again.createChannel();
      const msg = await ch2.get('survivor', { noAck: true });
      assert.ok(msg, 'the message survived the restart');
      assert.equal(msg.content.toString(), 'kept');
    } finally {
      await again.close();
    }
  });

  it('destroy stops all three and removes their directory', async () => {
    const { dir, rabbitmq } = servers;
    const pgUrl = servers.postgres.url;
    const redisPort = servers.redis.port;
    await servers.destroy();
    assert.equal(existsSync(dir), false, 'the temp directory is gone');
    await assert.rejects(pgQuery(pgUrl, 'SELECT 1'), 'PostgreSQL is down');
    assert.equal(await ping(redisPort), false, 'Redis is down');
    await assert.rejects(run('rabbitmqctl', ['-n', rabbitmq.node, 'status'], { timeoutMs: 30_000 }), 'the RabbitMQ node is gone');
  });
});
