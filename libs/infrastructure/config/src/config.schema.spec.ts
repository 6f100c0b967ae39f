import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, DEV_JWT_SECRET, loadConfig } from './config.schema';

describe('loadConfig', () => {
  it('applies the documented development defaults', () => {
    const c = loadConfig({});
    assert.equal(c.ORDER_API_PORT, 3000);
    assert.equal(c.ORDER_WORKER_PORT, 3001);
    assert.equal(c.NOTIFIER_PORT, 8085);
    assert.equal(c.DATABASE_URL, 'postgres://postgres@127.0.0.1:5432/seckill');
    assert.equal(c.PAYMENT_WINDOW_SECONDS, 900);
    assert.equal(c.ADMIN_USERNAME, 'admin');
    assert.equal(c.JWT_SECRET, DEV_JWT_SECRET);
  });

  it('names the variable that is wrong', () => {
    assert.throws(() => loadConfig({ PAYMENT_WINDOW_SECONDS: 'soon' }), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /PAYMENT_WINDOW_SECONDS/);
      return true;
    });
    assert.throws(() => loadConfig({ REDIS_URL: 'http://x' }), /REDIS_URL/);
  });

  it('takes a Redis Cluster as host:port seed nodes, unset by default, and names the variable when malformed', () => {
    assert.equal(loadConfig({}).REDIS_CLUSTER_NODES, undefined);
    assert.equal(loadConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:7000, redis-b:7001,redis-c.example:7002' }).REDIS_CLUSTER_NODES, '10.0.0.1:7000, redis-b:7001,redis-c.example:7002');
    for (const bad of ['10.0.0.1', 'redis://10.0.0.1:7000', '10.0.0.1:7000,', 'a:1;b:2', 'a:port']) {
      assert.throws(() => loadConfig({ REDIS_CLUSTER_NODES: bad }), /REDIS_CLUSTER_NODES: must be host:port,host:port/, bad);
    }
  });

  it('sizes the worker for several batches in flight', () => {
    const c = loadConfig({});
    assert.deepEqual([c.WORKER_BATCH_SIZE, c.WORKER_BATCHES_IN_FLIGHT, c.WORKER_PREFETCH], [500, 3, 3000]);
    assert.equal(loadConfig({ WORKER_BATCH_SIZE: '100', WORKER_BATCHES_IN_FLIGHT: '4', WORKER_PREFETCH: '400' }).WORKER_PREFETCH, 400);
  });

  it('takes the waiting room\'s defaults, and refuses an admitter lease shorter than three admission steps', () => {
    const c = loadConfig({});
    assert.deepEqual([c.ROOM_TICK_MS, c.ROOM_LEASE_MS, c.ROOM_ADMISSION_TTL_SECONDS, c.ROOM_ADMIT_PER_UNIT_LEFT, c.ROOM_PUSH_INTERVAL_MS], [100, 3000, 60, 2, 2000]);
    assert.throws(() => loadConfig({ ROOM_TICK_MS: '500', ROOM_LEASE_MS: '1000' }), /ROOM_LEASE_MS: must be at least 3 × ROOM_TICK_MS \(1500\), got 1000/);
    assert.throws(() => loadConfig({ ROOM_ADMIT_PER_UNIT_LEFT: '0.5' }), /ROOM_ADMIT_PER_UNIT_LEFT/);
    assert.throws(() => loadConfig({ ROOM_TICK_MS: 'fast' }), /ROOM_TICK_MS/);
  });

  it('refuses a prefetch that cannot fill the batches in flight, naming the variables', () => {
    assert.throws(() => loadConfig({ WORKER_PREFETCH: '1000' }), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /WORKER_PREFETCH: must be at least WORKER_BATCH_SIZE × WORKER_BATCHES_IN_FLIGHT \(500 × 3 = 1500\), got 1000/);
      return true;
    });
    assert.throws(() => loadConfig({ WORKER_BATCH_SIZE: '100', WORKER_BATCHES_IN_FLIGHT: '4', WORKER_PREFETCH: '399' }), /WORKER_PREFETCH/);
    assert.throws(() => loadConfig({ WORKER_BATCHES_IN_FLIGHT: '0' }), /WORKER_BATCHES_IN_FLIGHT/);
    assert.throws(() => loadConfig({ WORKER_BATCHES_IN_FLIGHT: '9' }), /WORKER_BATCHES_IN_FLIGHT/);
  });

  it('refuses development secrets and guest credentials in production', () => {
    assert.throws(() => loadConfig({ NODE_ENV: 'production' }), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      for (const v of ['JWT_SECRET', 'RABBITMQ_URL', 'ADMIN_USERNAME', 'ADMIN_PASSWORD']) assert.match(e.message, new RegExp(v));
      return true;
    });
    const ok = loadConfig({
      NODE_ENV: 'production',
      JWT_SECRET: 'a-long-production-secret-value-of-32-bytes',
      DATABASE_URL: 'postgres://shop:pw@db:5432/seckill',
      REDIS_URL: 'redis://:pw@redis:6379',
      RABBITMQ_URL: 'amqp://shop:pw@mq:5672',
      RABBITMQ_MANAGEMENT_URL: 'http://shop:pw@mq:15672',
      ADMIN_USERNAME: 'root',
      ADMIN_PASSWORD: 'long-password-1',
    });
    assert.equal(ok.ADMIN_USERNAME, 'root');
  });

  describe('production refusals', () => {
    const strong = {
      NODE_ENV: 'production',
      JWT_SECRET: 'x'.repeat(32),
      DATABASE_URL: 'postgres://shop:db-pw@db:5432/seckill',
      REDIS_URL: 'redis://:redis-pw@redis:6379',
      RABBITMQ_URL: 'amqp://shop:mq-pw@mq:5672',
      RABBITMQ_MANAGEMENT_URL: 'http://shop:mq-pw@mq:15672',
      ADMIN_USERNAME: 'root',
      ADMIN_PASSWORD: 'twelve-chars',
    };
    const refuses = (overrides: Record<string, string>, variable: string, reason: RegExp) =>
      assert.throws(() => loadConfig({ ...strong, ...overrides }), (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        const line = e.message.split('\n').find((l) => l.trim().startsWith(`${variable}:`));
        assert.ok(line, `no line for ${variable} in: ${e.message}`);
        assert.match(line, reason);
        return true;
      });

    it('accepts strong settings (the limits exactly)', () => {
      const c = loadConfig(strong);
      assert.equal(c.ADMIN_PASSWORD, 'twelve-chars');
      assert.equal(c.RATE_LIMITS, 'on');
    });

    it('refuses a JWT_SECRET shorter than 32 bytes, counting bytes rather than characters', () => {
      refuses({ JWT_SECRET: 'x'.repeat(31) }, 'JWT_SECRET', /at least 32 bytes/);
      // 16 two-byte characters are 32 bytes: accepted.
      assert.equal(loadConfig({ ...strong, JWT_SECRET: 'é'.repeat(16) }).JWT_SECRET, 'é'.repeat(16));
      refuses({ JWT_SECRET: 'é'.repeat(15) + 'x' }, 'JWT_SECRET', /at least 32 bytes/);
    });

    it('refuses a database URL without a password', () => {
      refuses({ DATABASE_URL: 'postgres://shop@db:5432/seckill' }, 'DATABASE_URL', /password/);
    });

    it('refuses a Redis URL without a password', () => {
      refuses({ REDIS_URL: 'redis://redis:6379' }, 'REDIS_URL', /password/);
      refuses({ REDIS_URL: 'rediss://user@redis:6379' }, 'REDIS_URL', /password/);
    });

    it('refuses a broker URL without a password, on every node of a list', () => {
      refuses({ RABBITMQ_URL: 'amqp://shop@mq:5672' }, 'RABBITMQ_URL', /password/);
      refuses({ RABBITMQ_URL: 'amqp://guest:guest@mq:5672' }, 'RABBITMQ_URL', /guest/);
      refuses({ RABBITMQ_MANAGEMENT_URL: 'http://mq:15672' }, 'RABBITMQ_MANAGEMENT_URL', /password/);
    });

    it('refuses an ADMIN_PASSWORD shorter than 12 characters', () => {
      refuses({ ADMIN_PASSWORD: 'eleven-char' }, 'ADMIN_PASSWORD', /at least 12 characters/);
      refuses({ ADMIN_PASSWORD: 'admin' }, 'ADMIN_PASSWORD', /development default/);
    });

    it('refuses RATE_LIMITS=off', () => {
      refuses({ RATE_LIMITS: 'off' }, 'RATE_LIMITS', /refused in production/);
      assert.equal(loadConfig({ RATE_LIMITS: 'off' }).RATE_LIMITS, 'off');
    });

    it('names every problem at once', () => {
      assert.throws(
        () =>
          loadConfig({
            NODE_ENV: 'production',
            JWT_SECRET: 'short-but-16-chars',
            DATABASE_URL: 'postgres://shop@db/seckill',
            REDIS_URL: 'redis://redis:6379',
            RABBITMQ_URL: 'amqp://shop@mq',
            RABBITMQ_MANAGEMENT_URL: 'http://shop@mq:15672',
            ADMIN_USERNAME: 'root',
            ADMIN_PASSWORD: 'short',
            RATE_LIMITS: 'off',
          }),
        (e: unknown) => {
          assert.ok(e instanceof ConfigError);
          const named = e.message.split('\n').slice(1).map((l) => l.trim().split(':')[0]);
          assert.deepEqual(named.sort(), ['ADMIN_PASSWORD', 'DATABASE_URL', 'JWT_SECRET', 'RABBITMQ_MANAGEMENT_URL', 'RABBITMQ_URL', 'RATE_LIMITS', 'REDIS_URL']);
          return true;
        },
      );
    });

    it('leaves development as it was: no password needed', () => {
      assert.doesNotThrow(() => loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', ADMIN_PASSWORD: 'admin' }));
    });

    it('reads the request limits, on by default, low enough that 60 tries in a minute meet 429', () => {
      const c = loadConfig({});
      assert.equal(c.RATE_LIMITS, 'on');
      assert.deepEqual(
        [c.LOGIN_LIMIT_PER_USERNAME_PER_MINUTE, c.LOGIN_LIMIT_PER_IP_PER_MINUTE, c.REGISTER_LIMIT_PER_IP_PER_HOUR, c.ORDER_RATE_LIMIT_PER_SECOND, c.ORDER_RATE_LIMIT_PER_IP_PER_SECOND],
        [10, 100, 20, 10, 300],
      );
      assert.ok(c.LOGIN_LIMIT_PER_USERNAME_PER_MINUTE < 60 && c.REGISTER_LIMIT_PER_IP_PER_HOUR < 60);
      assert.throws(() => loadConfig({ RATE_LIMITS: 'no' }), /RATE_LIMITS/);
      assert.throws(() => loadConfig({ PASSWORD_HASH_CONCURRENCY: '0' }), /PASSWORD_HASH_CONCURRENCY/);
    });
  });
});
