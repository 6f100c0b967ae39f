import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode } from '@seckill/contracts';
import { codeOfHttpStatus, statusOf } from './error-mapping';

describe('error mapping', () => {
  it('gives every domain code a status, and only INTERNAL a 5xx that a client could not cause', () => {
    for (const code of Object.values(ErrorCode)) {
      const status = statusOf(code);
      assert.ok(status >= 400 && status < 600, code);
      if (status >= 500) assert.ok(code === ErrorCode.INTERNAL || code === ErrorCode.TRY_AGAIN, code);
    }
    assert.equal(statusOf(ErrorCode.SOLD_OUT), 409);
    assert.equal(statusOf(ErrorCode.SALE_NOT_STARTED), 403);
  });

  it('maps framework statuses to contract codes', () => {
    assert.equal(codeOfHttpStatus(404), ErrorCode.NOT_FOUND);
    assert.equal(codeOfHttpStatus(413), ErrorCode.PAYLOAD_TOO_LARGE);
    assert.equal(codeOfHttpStatus(415), ErrorCode.VALIDATION_FAILED);
    assert.equal(codeOfHttpStatus(400), ErrorCode.VALIDATION_FAILED);
  });
});
