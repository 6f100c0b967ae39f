import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FastifyReply } from 'fastify';
import { loadConfig } from '@seckill/config';
import { DependencyMonitor } from './dependencies/dependency-monitor';
import { HealthController } from './health.controller';

const STRONG_PRODUCTION = {
  NODE_ENV: 'production',
  JWT_SECRET: 'x'.repeat(32),
  DATABASE_URL: 'postgres://shop:pw@db:5432/seckill',
  REDIS_URL: 'redis://:pw@redis:6379',
  RABBITMQ_URL: 'amqp://shop:pw@mq:5672',
  RABBITMQ_MANAGEMENT_URL: 'http://shop:pw@mq:15672',
  ADMIN_USERNAME: 'root',
  ADMIN_PASSWORD: 'twelve-chars',
};

/** Readiness with Redis refusing (a raw driver error naming host and port) and a consumer not attached. */
async function readiness(env: Record<string, string>): Promise<{ status: number; body: unknown }> {
  const monitor = new DependencyMonitor(
    [
      { name: 'redis', check: () => Promise.reject(new Error('connect ECONNREFUSED 10.0.0.5:6379')) },
      { name: 'postgres', check: () => Promise.resolve(true) },
    ],
    { intervalMs: 60_000, downIntervalMs: 60_000, timeoutMs: 1000 },
  );
  monitor.addReadinessPart({ name: 'consumers', state: () => ({ ready: false, detail: 'seckill.orders.pending not attached' }) });
  let status = 200;
  const reply = { status: (s: number) => ((status = s), reply) } as unknown as FastifyReply;
  const body = await new HealthController(monitor, loadConfig(env)).ready(reply);
  return { status, body };
}

describe('HealthController /health/ready', () => {
  it('in development names what is down and why', async () => {
    const r = await readiness({});
    assert.equal(r.status, 503);
    assert.deepEqual((r.body as { error: unknown }).error, {
      redis: { status: 'down', message: 'connect ECONNREFUSED 10.0.0.5:6379' },
      consumers: { status: 'down', message: 'seckill.orders.pending not attached' },
    });
  });

  it('in production names what is down, never why', async () => {
    const r = await readiness(STRONG_PRODUCTION);
    assert.equal(r.status, 503);
    assert.deepEqual(r.body, {
      status: 'error',
      info: { postgres: { status: 'up' } },
      error: { redis: { status: 'down' }, consumers: { status: 'down' } },
      details: { postgres: { status: 'up' }, redis: { status: 'down' }, consumers: { status: 'down' } },
    });
  });
});
