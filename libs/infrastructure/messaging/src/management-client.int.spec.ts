import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import { connect, createServer, type Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { nodeAddress } from '@seckill/config';
import { ManagementClient, ManagementUnavailableError } from './management-client';
import { StandInNodes } from './stand-in-nodes';

/**
 * RABBITMQ_MANAGEMENT_URL listing several endpoints: the shared broker's management API is the endpoint that
 * answers, the others are gone in each way a node can be gone (nothing listening, a reset, a stall, a 5xx).
 */
const SHARED = process.env.TEST_RABBITMQ_MANAGEMENT_URL ?? 'http://guest:guest@127.0.0.1:15672';
const vhost = `seckill-test-mgmt-${randomUUID().slice(0, 8)}`;
const nodes = new StandInNodes();

const endpoint = (port: number) => `http://guest:guest@127.0.0.1:${port}`;

/** A TCP forwarder to the shared API on a port of its own: a node that can go away (close it, and its connections). */
async function forwarderToShared(): Promise<{ server: Server; port: number }> {
  const shared = new URL(SHARED);
  const server = createServer((client) => {
    const upstream = connect(Number(shared.port || 80), shared.hostname);
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  return { server, port: await nodes.listen(server) };
}

before(async () => {
  await new ManagementClient(SHARED).createVhost(vhost, 'guest');
});

after(async () => {
  await nodes.close();
  await new ManagementClient(SHARED).deleteVhost(vhost);
});

describe('ManagementClient over several endpoints', () => {
  it('fails over from a dead endpoint (closed port) to the next, and stays on the one that answered', async () => {
    const dead = await nodes.closedPort();
    const client = new ManagementClient(`${endpoint(dead)},${SHARED}`);
    assert.equal(client.endpoint, `127.0.0.1:${dead}`, 'the first listed is asked first');
    assert.deepEqual(await client.queues(vhost), []);
    assert.equal(client.endpoint, nodeAddress(SHARED));

    // Were the dead endpoint asked again, it would now accept and count the attempt.
    let attempts = 0;
    const revived = createServer((s) => {
      attempts++;
      s.resetAndDestroy();
    });
    await nodes.listen(revived, dead);
    for (let i = 0; i < 3; i++) assert.deepEqual(await client.queues(vhost), []);
    assert.equal(attempts, 0, 'the endpoint that answered last is asked first');
    assert.equal(client.endpoint, nodeAddress(SHARED));
  });

  it('treats a reset connection, a stall past the timeout and a 5xx as a node gone, each tried once', async () => {
    let resets = 0;
    const resetting = await nodes.listen(
      createServer((s) => {
        resets++;
        s.resetAndDestroy();
      }),
    );
    let stalls = 0;
    // Counted by requests, not connections: undici opens a spare connection after an aborted request.
    const stalling = await nodes.listen(createServer((s) => s.once('data', () => stalls++)));
    let failing = 0;
    const unavailable = await nodes.listen(
      createHttpServer((_req, res) => {
        failing++;
        res.writeHead(503).end('booting');
      }),
    );
    const client = new ManagementClient([resetting, stalling, unavailable].map(endpoint).concat(SHARED).join(','), 300);
    const queue = await client.queues(vhost);
    assert.deepEqual(queue, []);
    for (let i = 0; i < 2; i++) await client.queues(vhost);
    assert.deepEqual([resets, stalls, failing], [1, 1, 1]);
    assert.equal(client.endpoint, nodeAddress(SHARED));
  });

  it('moves on when the endpoint in use goes away', async () => {
    const { server: forwarder, port } = await forwarderToShared();
    const client = new ManagementClient(`${endpoint(port)},${SHARED}`);
    assert.deepEqual(await client.queues(vhost), []);
    assert.equal(client.endpoint, `127.0.0.1:${port}`);

    const closed = new Promise((done) => forwarder.close(done));
    nodes.cut();
    await closed;
    assert.deepEqual(await client.queues(vhost), []);
    assert.equal(client.endpoint, nodeAddress(SHARED));
  });

  it('reports the management API down only when no endpoint answers, naming each without its credentials', async () => {
    const [a, b] = [await nodes.closedPort(), await nodes.closedPort()];
    const client = new ManagementClient(`http://ops:s3cret@127.0.0.1:${a},http://ops:s3cret@127.0.0.1:${b}`);
    const err = await client.queues(vhost).then(
      () => assert.fail('answered'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ManagementUnavailableError);
    assert.equal(err.message, `RabbitMQ management GET /api/queues/${vhost}: no endpoint answered (127.0.0.1:${a}: ECONNREFUSED; 127.0.0.1:${b}: ECONNREFUSED)`);
  });

  it('takes a 4xx as the answer of a live node: final, not a reason to ask the next', async () => {
    const { port } = await forwarderToShared();
    const client = new ManagementClient(`http://guest:not-the-password@127.0.0.1:${port},${SHARED}`);
    // The next endpoint, with its own (right) credentials, would have answered 200: it is not asked.
    await assert.rejects(client.queues(vhost), /^Error: RabbitMQ management GET \/api\/queues\/[^:]+: 401 /);
    assert.equal(client.endpoint, `127.0.0.1:${port}`);
  });
});
