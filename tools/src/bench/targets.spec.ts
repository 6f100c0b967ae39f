import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeLimit, evaluate, evaluateLimit, pairedRatios, smallest } from './targets';

const fastify = { id: 'fastify', label: 'bare Fastify', value: 60_000 };

describe('evaluate', () => {
  it('meets a target at or above the ratio, misses below it', () => {
    assert.equal(evaluate({ id: 'a', label: 'a', measured: 48_000, ceiling: fastify, minRatio: 0.8 }).met, true);
    const missed = evaluate({ id: 'a', label: 'a', measured: 30_000, ceiling: fastify, minRatio: 0.8 });
    assert.equal(missed.met, false);
    assert.equal(missed.ratio, 0.5);
  });

  it('never meets a target against a missing (zero) ceiling', () => {
    const row = evaluate({ id: 'a', label: 'a', measured: 1, ceiling: { ...fastify, value: 0 }, minRatio: 0.1 });
    assert.equal(row.met, false);
    assert.ok(Number.isNaN(row.ratio));
  });
});

describe('smallest', () => {
  it('picks the lowest ceiling of a path', () => {
    const redis = { id: 'redis', label: 'Redis', value: 90_000 };
    const rabbit = { id: 'rabbitmq', label: 'RabbitMQ', value: 20_000 };
    assert.equal(smallest([fastify, redis, rabbit]).id, 'rabbitmq');
    assert.throws(() => smallest([]));
  });
});

describe('pairedRatios', () => {
  it('divides round by round and skips rounds without a ceiling', () => {
    assert.deepEqual(pairedRatios([10, 20, 30], [20, 0, 60, 80]), [0.5, 0.5]);
  });
});

describe('evaluateLimit', () => {
  it('meets an upper bound at or below it, misses above it or without a figure', () => {
    assert.equal(evaluateLimit({ id: 's', label: 's', measured: 0.5, limit: 0.5, unit: 's' }).met, true);
    assert.equal(evaluateLimit({ id: 's', label: 's', measured: 0.51, limit: 0.5, unit: 's' }).met, false);
    assert.equal(evaluateLimit({ id: 's', label: 's', measured: Number.NaN, limit: 0.5, unit: 's' }).met, false);
  });

  it('meets a lower bound at or above it', () => {
    assert.equal(evaluateLimit({ id: 'r', label: 'r', measured: 1_000, limit: 1_000, unit: '/s', atLeast: true }).met, true);
    assert.equal(evaluateLimit({ id: 'r', label: 'r', measured: 999, limit: 1_000, unit: '/s', atLeast: true }).met, false);
  });

  it('describes the bound as the docs write it', () => {
    assert.equal(describeLimit({ limit: 0.5, unit: 's' }), '≤ 0.5 s');
    assert.equal(describeLimit({ limit: 150, unit: 'ms' }), '≤ 150 ms');
    assert.equal(describeLimit({ limit: 1_000, unit: '/s', atLeast: true }), '≥ 1,000/s');
  });
});
