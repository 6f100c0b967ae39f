import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { after, describe, it } from 'node:test';
import { Global, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import Redis from 'ioredis';
import { APP_CONFIG, loadConfig } from '@seckill/config';
import { createRedisClient, createRedisSubscriber, type RedisClient, type RedisLogger } from './redis-client';
import { REDIS, REDIS_KEY_PREFIX, RedisModule } from './redis.module';
import { redisCheck } from './redis.check';

const SHARED = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const opened: RedisClient[] = [];
const servers: PrivateServer[] = [];
after(async () => {
  for (const r of opened) r.disconnect();
  for (const s of servers) await s.kill();
});

function track<T extends RedisClient>(r: T): T {
  opened.push(r);
  return r;
}

function recording(): RedisLogger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, warn: (_o, msg) => lines.push(`warn: ${msg}`), info: (_o, msg) => lines.push(`info: ${msg}`) };
}

/**
 * A redis-server of this suite's own, which it may kill (the shared one is never stopped). PrivateRedis in
 * @seckill/testing does the same, but this library may not import it: testing depends on it through stock.
 */
class PrivateServer {
  private child?: ChildProcess;
  constructor(readonly port: number) {}

  static async start(): Promise<PrivateServer> {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const addr = srv.address();
        srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
      });
    });
    const s = new PrivateServer(port);
    servers.push(s);
    s.spawn();
    // Up before the clients under test connect, so their first connection does not already count as an outage.
    const probe = new Redis(s.url);
    await next(probe, 'ready');
    probe.disconnect();
    return s;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts redis-server; clients see it through their own 'ready' (ioredis reconnects until it answers). */
  spawn(): void {
    this.child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  }

  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }
}

/**
 * Resolves on the client's next `event` (or at once if it already is in `status`). Not events.once: that
 * rejects on the 'error' every failed reconnect attempt emits.
 */
function next(r: RedisClient, event: 'ready' | 'close' | 'end', status?: string): Promise<void> {
  if (status !== undefined && r.status === status) return Promise.resolve();
  return new Promise((resolve) => r.once(event, () => resolve()));
}

describe('createRedis', () => {
  it('connects under its name and runs commands, pipelining the ones issued together', async () => {
    const name = `int-client-${randomUUID().slice(0, 8)}`;
    const r = track(createRedisClient(SHARED, name));
    await next(r, 'ready', 'ready');
    const key = `test:redis-int:${randomUUID()}`;
    const results = await Promise.all(Array.from({ length: 50 }, () => r.incr(key)));
    assert.deepEqual([...results].sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i + 1));
    const clients = (await r.client('LIST')) as string;
    assert.match(clients, new RegExp(`name=${name} `));
    await r.del(key);
  });

  it('fails a command while Redis is gone instead of holding it, logs the outage once and the return once', async () => {
    const server = await PrivateServer.start();
    const log = recording();
    const r = track(createRedisClient(server.url, 'int-outage', log));
    await next(r, 'ready', 'ready');
    const closed = next(r, 'close');
    await server.kill();
    await closed;
    await assert.rejects(r.get('k'), /max retries per request|Reached the max retries/i);
    // Several reconnect attempts have failed by now; the log says so once.
    assert.deepEqual(log.lines, ['warn: Redis unreachable; reconnecting']);
    const back = next(r, 'ready');
    server.spawn();
    await back;
    assert.equal(await r.set('k', 'v'), 'OK');
    assert.deepEqual(log.lines, ['warn: Redis unreachable; reconnecting', 'info: Redis reconnected']);
  });
});

describe('createRedisSubscriber', () => {
  it('receives what is published, and again after Redis came back (it subscribes anew)', async () => {
    const server = await PrivateServer.start();
    const pub = track(createRedisClient(server.url, 'int-pub'));
    const sub = track(createRedisSubscriber(server.url, 'int-sub'));
    const channel = `test:ch:${randomUUID()}`;
    await sub.subscribe(channel);
    const received: string[] = [];
    let onMessage: (() => void) | undefined;
    sub.on('message', (ch: string, msg: string) => {
      if (ch === channel) received.push(msg);
      onMessage?.();
    });
    const first = new Promise<void>((r) => (onMessage = r));
    assert.equal(await pub.publish(channel, 'one'), 1);
    await first;
    assert.deepEqual(received, ['one']);

    const subClosed = next(sub, 'close');
    await server.kill();
    await subClosed;
    const subBack = next(sub, 'ready');
    const pubBack = next(pub, 'ready');
    server.spawn();
    await Promise.all([subBack, pubBack]);
    // 'ready' comes after the resubscription (ioredis resubscribes before it reports ready).
    const second = new Promise<void>((r) => (onMessage = r));
    assert.equal(await pub.publish(channel, 'two'), 1, 'one subscriber again');
    await second;
    assert.deepEqual(received, ['one', 'two']);
  });
});

describe('redisCheck', () => {
  it('reports up while Redis answers, down at once when it is gone (no queued PING), and up again', async () => {
    const server = await PrivateServer.start();
    const r = track(createRedisClient(server.url, 'int-check'));
    const check = redisCheck(r);
    assert.equal(check.name, 'redis');
    await next(r, 'ready', 'ready');
    assert.equal(await check.check(), 'PONG');
    const closed = next(r, 'close');
    await server.kill();
    await closed;
    const started = Date.now();
    await assert.rejects(check.check(), /connection (connecting|reconnecting|close)/);
    assert.ok(Date.now() - started < 100, 'answered without waiting for a reconnect');
    const back = next(r, 'ready');
    server.spawn();
    await back;
    assert.equal(await check.check(), 'PONG');
  });
});

describe('RedisModule', () => {
  async function context(prefix: string) {
    const config = loadConfig({ NODE_ENV: 'test', REDIS_URL: SHARED, REDIS_KEY_PREFIX: prefix, LOG_LEVEL: 'silent' });
    @Global()
    @Module({ providers: [{ provide: APP_CONFIG, useValue: config }], exports: [APP_CONFIG] })
    class TestConfig {}
    @Module({ imports: [TestConfig, RedisModule] })
    class Root {}
    return NestFactory.createApplicationContext(Root, { logger: false });
  }

  it('provides one client and the key prefix of its configuration; two prefixes never see each other’s keys', async () => {
    const a = await context(`test:redis-a-${randomUUID().slice(0, 8)}:`);
    const b = await context(`test:redis-b-${randomUUID().slice(0, 8)}:`);
    try {
      const [ra, pa] = [a.get<Redis>(REDIS), a.get<string>(REDIS_KEY_PREFIX)];
      const [rb, pb] = [b.get<Redis>(REDIS), b.get<string>(REDIS_KEY_PREFIX)];
      assert.match(pa, /^test:redis-a-/);
      assert.notEqual(pa, pb);
      assert.equal(a.get<Redis>(REDIS), ra, 'one client per process');
      await ra.set(`${pa}stock:1`, '5');
      await rb.set(`${pb}stock:1`, '9');
      assert.deepEqual(await ra.keys(`${pa}*`), [`${pa}stock:1`]);
      assert.deepEqual(await rb.keys(`${pb}*`), [`${pb}stock:1`]);
      assert.equal(await ra.get(`${pa}stock:1`), '5');
      await ra.del(`${pa}stock:1`);
      await rb.del(`${pb}stock:1`);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('closes its connection when the application shuts down', { timeout: 10_000 }, async () => {
    const app = await context(`test:redis-c-${randomUUID().slice(0, 8)}:`);
    const r = app.get<Redis>(REDIS);
    await next(r, 'ready', 'ready');
    const ended = next(r, 'end');
    await app.close();
    await ended;
    assert.equal(r.status, 'end');
  });
});
