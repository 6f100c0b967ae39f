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
});
