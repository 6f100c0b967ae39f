import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NotFoundException } from '@nestjs/common';
import { DomainError, ErrorCode } from '@seckill/contracts';
import { errorBodyOf } from './error-body';

const err = (message: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(message), extra);

describe('errorBodyOf', () => {
  it('answers 503 TRY_AGAIN for any dependency that is down, whichever route met it', () => {
    for (const e of [
      err('connect ECONNREFUSED 127.0.0.1:5432', { name: 'QueryFailedError', driverError: err('connect ECONNREFUSED', { code: 'ECONNREFUSED' }) }),
      new Error('Connection terminated unexpectedly'),
      err('Reached the max retries per request limit', { name: 'MaxRetriesPerRequestError' }),
      err('not confirmed', { name: 'PublishTimeoutError' }),
      err('the database system is starting up', { code: '57P03', severity: 'FATAL' }),
    ]) {
      const mapped = errorBodyOf(e);
      assert.deepEqual([mapped.body.statusCode, mapped.body.code], [503, ErrorCode.TRY_AGAIN], e.message);
      assert.ok(mapped.dependency, e.message);
    }
  });

  it('keeps 500 INTERNAL for what nothing explains: a bug', () => {
    const mapped = errorBodyOf(new TypeError('x is undefined'));
    assert.deepEqual([mapped.body.statusCode, mapped.body.code, mapped.dependency], [500, ErrorCode.INTERNAL, undefined]);
    assert.equal(errorBodyOf(err('duplicate key', { code: '23505', severity: 'ERROR' })).body.statusCode, 500);
  });

  it('maps domain errors, framework errors and bad JSON as before', () => {
    assert.deepEqual(errorBodyOf(new DomainError(ErrorCode.SOLD_OUT, 'sold out')).body, { statusCode: 409, code: 'SOLD_OUT', message: 'sold out' });
    assert.equal(errorBodyOf(new NotFoundException()).body.code, ErrorCode.NOT_FOUND);
    assert.equal(errorBodyOf(err('too large', { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 })).body.statusCode, 413);
    assert.equal(errorBodyOf(new SyntaxError('Unexpected token')).body.code, ErrorCode.VALIDATION_FAILED);
  });
});
