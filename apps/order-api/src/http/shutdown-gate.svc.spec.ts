import assert from 'node:assert/strict';
import { request as httpRequest, Agent, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '@seckill/config';
import { ErrorCode } from '@seckill/contracts';
import { recordingLogger } from '@seckill/testing';
import { ShutdownGate } from './shutdown-gate';

const GRACE_MS = 10_000;
const LINGER_MS = 1000;

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const settled = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The gate installed on the Fastify instance order-api runs on (FastifyAdapter, return503OnClosing off as in
 * main.ts), with a quick route and a slow one the test releases. Requests go in through inject(), or over a
 * real loopback socket where the connection itself matters.
 */
async function world(t: TestContext, grace = GRACE_MS) {
  const fastify = new FastifyAdapter({ return503OnClosing: false }).getInstance<FastifyInstance>();
  const { logger, lines } = recordingLogger();
  const gate = new ShutdownGate(loadConfig({ SHUTDOWN_GRACE_MS: String(grace) }), logger);
  gate.install(fastify);
  const hits = { quick: 0, slow: 0 };
  /** The n-th call of /slow (from 0): `entered` once its handler runs, answered when the test calls `release`. */
  const calls: { entered: Deferred; release: Deferred }[] = [];
  const slowCall = (n: number) => (calls[n] ??= { entered: deferred(), release: deferred() });
  const slow = slowCall(0);
  // Registered after the gate's own hook, so it runs after it.
  const aborted = deferred();
  fastify.addHook('onRequestAbort', (_req, done) => {
    aborted.resolve();
    done();
  });
  fastify.get('/quick', async () => {
    hits.quick++;
    return { ok: true };
  });
  fastify.get('/slow', async () => {
    const call = slowCall(hits.slow++);
    call.entered.resolve();
    await call.release.promise;
    return { ok: 'slow' };
  });
  t.after(() => fastify.close());
  await fastify.ready();
  /** Shutdown begun: `state.done` turns true when Nest may close the server. */
  function shutdown() {
    const state = { done: false };
    const stopping = gate.beforeApplicationShutdown().then(() => (state.done = true));
    return { state, stopping };
  }
  /** node:test's timers from here on (after Fastify is ready: the requests themselves are not timed). */
  const mockTime = () => t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: Date.now() });
  const tick = async (ms: number) => {
    t.mock.timers.tick(ms);
    await settled();
  };
  return { fastify, gate, lines, hits, slow, slowCall, aborted, shutdown, mockTime, tick };
}

describe('ShutdownGate', () => {
  it('lets every request through before shutdown begins', async (t) => {
    const w = await world(t);
    const res = await w.fastify.inject({ method: 'GET', url: '/quick' });
    assert.equal(res.statusCode, 200);
    assert.notEqual(res.headers.connection, 'close');
    assert.equal(w.hits.quick, 1);
  });

  it('answers every new request 503 TRY_AGAIN with Retry-After and Connection: close once shutdown begins, without running its route', async (t) => {
    const w = await world(t);
    w.mockTime();
    const { state } = w.shutdown();
    const res = await w.fastify.inject({ method: 'GET', url: '/quick' });
    assert.equal(res.statusCode, 503);
    assert.deepEqual(res.json(), { statusCode: 503, code: ErrorCode.TRY_AGAIN, message: 'this instance is shutting down; retry' });
    assert.equal(res.headers['retry-after'], '1');
    assert.equal(res.headers.connection, 'close');
    assert.equal(w.hits.quick, 0);
    await w.tick(LINGER_MS);
    assert.equal(state.done, true, 'a refused request is not waited for');
  });

  it('waits for the requests in flight, then keeps answering 503 for LINGER_MS before it lets Nest close the server', async (t) => {
    const w = await world(t);
    const inFlight = w.fastify.inject({ method: 'GET', url: '/slow' });
    await w.slow.entered.promise;
    w.mockTime();
    const { state } = w.shutdown();
    await w.tick(GRACE_MS / 2);
    assert.equal(state.done, false, 'the slow request is still being answered');
    assert.deepEqual(w.lines.filter((l) => l.msg === 'shutting down: finishing the requests in flight').map((l) => l.obj), [{ inFlight: 1 }]);
    assert.equal((await w.fastify.inject({ method: 'GET', url: '/quick' })).statusCode, 503, 'meanwhile new requests are turned away');

    w.slow.release.resolve();
    assert.equal((await inFlight).statusCode, 200, 'the request in flight is finished, not cut');
    await settled();
    await w.tick(LINGER_MS - 1);
    assert.equal(state.done, false, 'still lingering');
    assert.equal((await w.fastify.inject({ method: 'GET', url: '/quick' })).statusCode, 503);
    await w.tick(1);
    assert.equal(state.done, true);
    assert.deepEqual(w.lines.at(-1), { level: 'info', obj: { left: 0, ms: GRACE_MS / 2 + LINGER_MS }, msg: 'requests in flight finished; closing' });
  });

  it('gives up on a request that does not finish within SHUTDOWN_GRACE_MS, lingering no longer than the grace', async (t) => {
    const w = await world(t);
    const inFlight = w.fastify.inject({ method: 'GET', url: '/slow' });
    await w.slow.entered.promise;
    w.mockTime();
    const { state } = w.shutdown();
    await w.tick(GRACE_MS - 1);
    assert.equal(state.done, false);
    await w.tick(1);
    await w.tick(0); // the linger, cut to what is left of the grace: nothing
    assert.equal(state.done, true, 'left to the stranded-reservation sweeper');
    assert.deepEqual(w.lines.at(-1)?.obj, { left: 1, ms: GRACE_MS });
    w.slow.release.resolve();
    await inFlight;
  });

  it('with nothing in flight only lingers, LINGER_MS', async (t) => {
    const w = await world(t);
    w.mockTime();
    const { state } = w.shutdown();
    await w.tick(LINGER_MS - 1);
    assert.equal(state.done, false);
    await w.tick(1);
    assert.equal(state.done, true);
    assert.equal(w.lines.some((l) => l.msg === 'shutting down: finishing the requests in flight'), false);
  });

  it('lingers no longer than a SHUTDOWN_GRACE_MS shorter than LINGER_MS', async (t) => {
    const w = await world(t, 300);
    w.mockTime();
    const { state } = w.shutdown();
    await w.tick(299);
    assert.equal(state.done, false);
    await w.tick(1);
    assert.equal(state.done, true);
  });

  it('counts a request its client abandoned as finished; a keep-alive connection gets its 503 and is then closed', async (t) => {
    const w = await world(t);
    await w.fastify.listen({ port: 0, host: '127.0.0.1' });
    const { port } = w.fastify.server.address() as AddressInfo;
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    t.after(() => agent.destroy());
    const get = (path: string) =>
      new Promise<{ res: IncomingMessage; body: string; socket: Socket }>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, path, agent }, (res) => {
          const socket = res.socket;
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve({ res, body, socket }));
        });
        req.on('error', reject);
        req.end();
      });

    // A shopper gives up on a slow request: it no longer holds the shutdown back.
    const abandoned = httpRequest({ host: '127.0.0.1', port, path: '/slow' });
    abandoned.on('error', () => undefined);
    abandoned.end();
    await w.slow.entered.promise;
    abandoned.destroy();
    await w.aborted.promise;
    // Its handler still ends (and answers a closed socket): that must not count it a second time.
    w.slow.release.resolve();
    await settled();

    const before = await get('/quick');
    assert.equal(before.res.statusCode, 200);
    const closed = new Promise<void>((resolve) => before.socket.once('close', () => resolve()));

    w.mockTime();
    const { state } = w.shutdown();
    const after = await get('/quick');
    assert.equal(after.socket, before.socket, 'the same keep-alive connection');
    assert.deepEqual([after.res.statusCode, after.res.headers.connection, JSON.parse(after.body).code], [503, 'close', ErrorCode.TRY_AGAIN]);
    await closed; // by the server: the client would have kept it for its next request
    await w.tick(LINGER_MS);
    assert.equal(state.done, true, 'not held back by the abandoned request');
    assert.equal(w.lines.some((l) => l.msg === 'shutting down: finishing the requests in flight'), false);
  });

  it('still waits for a request in flight after another one was abandoned (each request counted once)', async (t) => {
    const w = await world(t);
    await w.fastify.listen({ port: 0, host: '127.0.0.1' });
    const { port } = w.fastify.server.address() as AddressInfo;
    const abandoned = httpRequest({ host: '127.0.0.1', port, path: '/slow' });
    abandoned.on('error', () => undefined);
    abandoned.end();
    await w.slow.entered.promise;
    abandoned.destroy();
    await w.aborted.promise;
    w.slow.release.resolve();
    await settled();

    const inFlight = w.fastify.inject({ method: 'GET', url: '/slow' });
    await w.slowCall(1).entered.promise;
    w.mockTime();
    const { state } = w.shutdown();
    await w.tick(LINGER_MS * 3);
    assert.equal(state.done, false, 'the second request is still being answered');
    w.slowCall(1).release.resolve();
    assert.equal((await inFlight).statusCode, 200);
    await settled();
    await w.tick(LINGER_MS);
    assert.equal(state.done, true);
  });
});
