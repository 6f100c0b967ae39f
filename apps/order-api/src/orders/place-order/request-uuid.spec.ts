import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { requestUuid } from './request-uuid';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('requestUuid', () => {
  it('is stable for one user and requestId, distinct across users', () => {
    const rid = '0b8f6f3a-8e8c-4c55-9d7c-1f2e3d4c5b6a';
    assert.equal(requestUuid(1, rid), requestUuid(1, rid));
    assert.equal(requestUuid(1, rid), requestUuid(1, rid.toUpperCase()));
    assert.notEqual(requestUuid(1, rid), requestUuid(2, rid));
    assert.match(requestUuid(1, rid), UUID);
    assert.equal(requestUuid(1, rid)[14], '5');
  });

  it('is random without a requestId', () => {
    assert.notEqual(requestUuid(1), requestUuid(1));
    assert.match(requestUuid(1), UUID);
  });
});
