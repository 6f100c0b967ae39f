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

  it('sizes the worker for several batches in flight', () => {
    const c = loadConfig({});
    assert.deepEqual([c.WORKER_BATCH_SIZE, c.WORKER_BATCHES_IN_FLIGHT, c.WORKER_PREFETCH], [500, 3, 3000]);
    assert.equal(loadConfig({ WORKER_BATCH_SIZE: '100', WORKER_BATCHES_IN_FLIGHT: '4', WORKER_PREFETCH: '400' }).WORKER_PREFETCH, 400);
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
      JWT_SECRET: 'a-long-production-secret-value',
      RABBITMQ_URL: 'amqp://shop:pw@mq:5672',
      RABBITMQ_MANAGEMENT_URL: 'http://shop:pw@mq:15672',
      ADMIN_USERNAME: 'root',
      ADMIN_PASSWORD: 'long-password',
    });
    assert.equal(ok.ADMIN_USERNAME, 'root');
  });
  it('reads the request limits (on by default), accepts RATE_LIMITS=off outside production and refuses it in production', () => {
    const c = loadConfig({});
    assert.equal(c.RATE_LIMITS, 'on');
    assert.deepEqual(
      [c.LOGIN_LIMIT_PER_USERNAME_PER_MINUTE, c.LOGIN_LIMIT_PER_IP_PER_MINUTE, c.REGISTER_LIMIT_PER_IP_PER_HOUR, c.ORDER_RATE_LIMIT_PER_SECOND, c.ORDER_RATE_LIMIT_PER_IP_PER_SECOND],
      [10, 100, 20, 10, 300],
    );
    assert.ok(c.LOGIN_LIMIT_PER_USERNAME_PER_MINUTE < 60 && c.REGISTER_LIMIT_PER_IP_PER_HOUR < 60, 'the contract: 60 within a minute meet 429');
    assert.equal(loadConfig({ NODE_ENV: 'test', RATE_LIMITS: 'off' }).RATE_LIMITS, 'off');
    assert.throws(() => loadConfig({ RATE_LIMITS: 'no' }), /RATE_LIMITS/);
    assert.throws(() => loadConfig({ PASSWORD_HASH_CONCURRENCY: '0' }), /PASSWORD_HASH_CONCURRENCY/);
    const production = {
      NODE_ENV: 'production',
      JWT_SECRET: 'a-long-production-secret-value-of-at-least-32-bytes',
      RABBITMQ_URL: 'amqp://shop:pw@mq:5672',
      RABBITMQ_MANAGEMENT_URL: 'http://shop:pw@mq:15672',
      ADMIN_USERNAME: 'root',
      ADMIN_PASSWORD: 'long-password-for-root',
    };
    assert.throws(() => loadConfig({ ...production, RATE_LIMITS: 'off' }), /RATE_LIMITS: off is for load tests and test suites; refused in production/);
    // Whatever else production refuses, an explicit RATE_LIMITS=on is never among it.
    const onMessage = (() => {
      try {
        loadConfig({ ...production, RATE_LIMITS: 'on' });
        return '';
      } catch (e) {
        return String(e);
      }
    })();
    assert.doesNotMatch(onMessage, /RATE_LIMITS/);
  });
});
