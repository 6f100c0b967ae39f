import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { loadConfig } from '@seckill/config';
import { ErrorCode } from '@seckill/contracts';
import { createRedisClient, type RedisClient } from '@seckill/redis';
import { PrivateRedis, SHARED_SERVERS } from '@seckill/testing';
import { redisLimiterFactory } from './limiter-factories';
import { RateLimitedError } from './rate-limited.error';
import { RequestLimits } from './request-limits';

const clients: RedisClient[] = [];
const servers: PrivateRedis[] = [];
after(async () => {
  for (const c of clients) c.disconnect();
  for (const s of servers) await s.stop();
});

function client(url: string): RedisClient {
  const c = createRedisClient(url, `limits-int-${clients.length}`);
  clients.push(c);
  return c;
}

function recording() {
  const lines: string[] = [];
  return { lines, warn: (_o: object, msg: string) => void lines.push(`warn: ${msg}`), info: (_o: object, msg: string) => void lines.push(`info: ${msg}`) };
}

/**
 * What one order-api process holds: its own Redis connection (connected: until then the limits count in memory)
 * and its own limits, on the deployment's prefix.
 */
async function instance(url: string, prefix: string, overrides: Record<string, string> = {}) {
  const config = loadConfig({ NODE_ENV: 'test', RATE_LIMITS: 'on', ...overrides });
  const redis = client(url);
  if (redis.status !== 'ready') await new Promise<void>((resolve) => redis.once('ready', () => resolve()));
  const log = recording();
  return { redis, log, limits: new RequestLimits(config, redisLimiterFactory(redis, prefix), log) };
}

async function outcome(p: Promise<void>): Promise<string> {
  try {
    await p;
    return 'passed';
  } catch (e) {
    if (e instanceof RateLimitedError) return `${e.code} ${e.retryAfterSeconds}`;
    throw e;
  }
}

describe('RequestLimits in Redis', () => {
  it('two instances share one count per username, under REDIS_KEY_PREFIX, and both refuse once it is spent', async () => {
    const prefix = `test:limits-${randomUUID().slice(0, 8)}:`;
    const a = await instance(SHARED_SERVERS.redis, prefix, { LOGIN_LIMIT_PER_USERNAME_PER_MINUTE: '10' });
    const b = await instance(SHARED_SERVERS.redis, prefix, { LOGIN_LIMIT_PER_USERNAME_PER_MINUTE: '10' });
    // 12 attempts at once, alternating instances (and addresses): exactly 10 pass, whichever instance took them.
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => outcome((i % 2 === 0 ? a : b).limits.login('alice', `198.51.100.${i}`))),
    );
    assert.equal(answers.filter((x) => x === 'passed').length, 10);
    const refused = answers.filter((x) => x !== 'passed');
    assert.equal(refused.length, 2);
    for (const r of refused) {
      const [code, seconds] = r.split(' ');
      assert.equal(code, ErrorCode.RATE_LIMITED);
      assert.ok(Number(seconds) >= 1 && Number(seconds) <= 60, `Retry-After ${seconds}`);
    }
    assert.match(await outcome(a.limits.login('alice', '198.51.100.50')), /^RATE_LIMITED /);
    assert.match(await outcome(b.limits.login('alice', '198.51.100.51')), /^RATE_LIMITED /);
    assert.equal(await outcome(b.limits.login('bob', '198.51.100.52')), 'passed', 'another username has its own count');
    const keys = (await a.redis.keys(`${prefix}*`)).sort();
    assert.ok(keys.includes(`${prefix}limit:login_username:alice`), keys.join(', '));
    assert.ok(keys.every((k) => k.startsWith(`${prefix}limit:`)));
    assert.ok((await a.redis.pttl(`${prefix}limit:login_username:alice`)) <= 60_000, 'the window expires');
    await a.redis.del(...keys);
  });

  it('two instances share the per-user and per-address order limits', async () => {
    const prefix = `test:limits-${randomUUID().slice(0, 8)}:`;
    const vars = { ORDER_RATE_LIMIT_PER_SECOND: '3', ORDER_RATE_LIMIT_PER_IP_PER_SECOND: '1000' };
    const a = await instance(SHARED_SERVERS.redis, prefix, vars);
    const b = await instance(SHARED_SERVERS.redis, prefix, vars);
    // Each instance alone would let 3 through: together they let 3 through in the window, not 6.
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => outcome((i % 2 === 0 ? a : b).limits.order(42, '203.0.113.9'))));
    // A window may roll over during the burst; it still never lets more than twice the budget through, and here
    // the burst is far shorter than the one-second window, so the shared budget is what decides.
    assert.equal(answers.filter((x) => x === 'passed').length, 3, answers.join(', '));
    await a.redis.del(...(await a.redis.keys(`${prefix}*`)));
  });

  it('counts on each instance alone while Redis is down (no error, logged once), and in Redis again once it is back', async () => {
    const server = await PrivateRedis.start();
    servers.push(server);
    const prefix = `test:limits-${randomUUID().slice(0, 8)}:`;
    const a = await instance(server.url, prefix, { REGISTER_LIMIT_PER_IP_PER_HOUR: '2' });
    await a.limits.register('203.0.113.1');
    const closed = new Promise<void>((resolve) => a.redis.once('close', () => resolve()));
    await server.stop();
    await closed;
    // Redis away: the request is still answered, by this instance's memory (2 per hour here, counted from now).
    assert.equal(await outcome(a.limits.register('203.0.113.1')), 'passed');
    assert.equal(await outcome(a.limits.register('203.0.113.1')), 'passed');
    assert.match(await outcome(a.limits.register('203.0.113.1')), /^RATE_LIMITED /);
    assert.deepEqual(a.log.lines, ['warn: request limit store unreachable; counting on this instance only']);
    const back = new Promise<void>((resolve) => a.redis.once('ready', () => resolve()));
    await server.start();
    await back;
    // Redis kept nothing (a fresh server): the shared count starts again.
    assert.equal(await outcome(a.limits.register('203.0.113.1')), 'passed');
    assert.deepEqual(a.log.lines, ['warn: request limit store unreachable; counting on this instance only', 'info: request limit counted in Redis again']);
  });
});
