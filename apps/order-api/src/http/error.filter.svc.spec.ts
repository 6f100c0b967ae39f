import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { ServiceUnavailableException } from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { DomainError, ErrorCode } from '@seckill/contracts';
import { recordingLogger } from '@seckill/testing';
import { ErrorFilter } from './error.filter';
import { RateLimitedError } from '../limits/rate-limited.error';

/**
 * The filter answering on order-api's Fastify (FastifyAdapter): a route hands the error it is given to the
 * filter with Nest's own ArgumentsHost around the real request and reply, as Nest's exception zone does.
 */
async function world(t: TestContext) {
  const fastify = new FastifyAdapter().getInstance<FastifyInstance>();
  const { logger, lines } = recordingLogger();
  const filter = new ErrorFilter(logger);
  const thrown: { error?: unknown } = {};
  fastify.post('/api/orders', (req, reply) => {
    filter.catch(thrown.error, new ExecutionContextHost([req, reply]));
  });
  // A route that had chosen another type before it failed (the metrics text, a page).
  fastify.get('/metrics', (req, reply) => {
    void reply.type('text/plain; version=0.0.4');
    filter.catch(thrown.error, new ExecutionContextHost([req, reply]));
  });
  t.after(() => fastify.close());
  await fastify.ready();
  async function answer(error: unknown) {
    thrown.error = error;
    lines.length = 0;
    const res = await fastify.inject({ method: 'POST', url: '/api/orders?from=test', payload: { seckillGoodId: 1 } });
    return { status: res.statusCode, headers: res.headers, body: res.json() as unknown };
  }
  return { answer, lines, fastify, thrown };
}

const JSON_TYPE = 'application/json; charset=utf-8';

describe('ErrorFilter', () => {
  it('answers a dependency fault 503 TRY_AGAIN with Retry-After, logged at warn with the dependency and the route (waited out, not a bug)', async (t) => {
    const w = await world(t);
    const down = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' });
    const res = await w.answer(down);
    assert.deepEqual(res.body, { statusCode: 503, code: ErrorCode.TRY_AGAIN, message: 'temporarily unavailable; retry' });
    assert.deepEqual([res.status, res.headers['retry-after'], res.headers['content-type']], [503, '1', JSON_TYPE]);
    assert.deepEqual(w.lines, [
      { level: 'warn', obj: { err: down, dependency: 'network', method: 'POST', url: '/api/orders?from=test' }, msg: 'dependency unavailable: answered 503 TRY_AGAIN' },
    ]);
    const redis = await w.answer(Object.assign(new Error('Reached the max retries per request limit'), { name: 'MaxRetriesPerRequestError' }));
    assert.equal(redis.status, 503);
    assert.deepEqual(w.lines.map((l) => [l.level, (l.obj as { dependency: string }).dependency]), [['warn', 'redis']]);
  });

  it('answers what nothing explains 500 INTERNAL without details, logged at error with the route, and with no Retry-After', async (t) => {
    const w = await world(t);
    const bug = new TypeError("Cannot read properties of undefined (reading 'id')");
    const res = await w.answer(bug);
    assert.deepEqual([res.status, res.body], [500, { statusCode: 500, code: ErrorCode.INTERNAL, message: 'internal error' }]);
    assert.equal(res.headers['retry-after'], undefined);
    assert.equal(res.headers['content-type'], JSON_TYPE);
    assert.deepEqual(w.lines, [{ level: 'error', obj: { err: bug, method: 'POST', url: '/api/orders?from=test' }, msg: 'unhandled error' }]);
  });

  it('answers in JSON even when the route had chosen another content type before it failed', async (t) => {
    const w = await world(t);
    w.thrown.error = new Error('Connection is closed.');
    const res = await w.fastify.inject({ method: 'GET', url: '/metrics' });
    assert.deepEqual([res.statusCode, res.headers['content-type'], res.json()], [503, JSON_TYPE, { statusCode: 503, code: ErrorCode.TRY_AGAIN, message: 'temporarily unavailable; retry' }]);
  });

  it('answers a TRY_AGAIN the code chose (a recovery, a 503 exception) with Retry-After, and logs it as neither fault nor bug', async (t) => {
    const w = await world(t);
    for (const chosen of [new DomainError(ErrorCode.TRY_AGAIN, 'stock is being recovered; retry'), new ServiceUnavailableException('draining')]) {
      const res = await w.answer(chosen);
      assert.deepEqual([res.status, (res.body as { code: string }).code, res.headers['retry-after']], [503, ErrorCode.TRY_AGAIN, '1'], chosen.message);
      assert.deepEqual(w.lines, [], chosen.message);
    }
  });

  it('answers 429 RATE_LIMITED with Retry-After; other refusals with their status, body and details, no Retry-After, nothing logged', async (t) => {
    const w = await world(t);
    const limited = await w.answer(new DomainError(ErrorCode.RATE_LIMITED, 'too many requests'));
    assert.deepEqual([limited.status, limited.headers['retry-after']], [429, '1']);
    const untilWindowEnds = await w.answer(new RateLimitedError('too many login attempts for this username; wait', 37));
    assert.deepEqual(
      [untilWindowEnds.status, untilWindowEnds.body, untilWindowEnds.headers['retry-after']],
      [429, { statusCode: 429, code: ErrorCode.RATE_LIMITED, message: 'too many login attempts for this username; wait' }, '37'],
      'a limit says when it lets the client in again',
    );
    assert.deepEqual(w.lines, []);
    const refusals: [DomainError, number][] = [
      [new DomainError(ErrorCode.SOLD_OUT, 'sold out'), 409],
      [new DomainError(ErrorCode.GOOD_NOT_FOUND, 'no such item'), 404],
      [new DomainError(ErrorCode.UNAUTHORIZED, 'a bearer token is required'), 401],
      [new DomainError(ErrorCode.VALIDATION_FAILED, 'requestId must be a UUID', { problems: ['requestId must be a UUID'] }), 400],
    ];
    for (const [refusal, status] of refusals) {
      const res = await w.answer(refusal);
      assert.deepEqual(
        [res.status, res.body, res.headers['retry-after'], res.headers['content-type']],
        [status, { statusCode: status, code: refusal.code, message: refusal.message, ...(refusal.details ? { details: refusal.details } : {}) }, undefined, JSON_TYPE],
      );
      assert.deepEqual(w.lines, [], refusal.code);
    }
  });
});
