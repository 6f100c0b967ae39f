import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { requestUuid } from './request-uuid';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('requestUuid', () => {
  it('is the requestId, normalised to lower case', () => {
    assert.equal(requestUuid('0B8F6F3A-8E8C-4C55-9D7C-1F2E3D4C5B6A'), '0b8f6f3a-8e8c-4c55-9d7c-1f2e3d4c5b6a');
  });

  it('is random without a requestId', () => {
    assert.notEqual(requestUuid(), requestUuid());
    assert.match(requestUuid(), UUID);
  });
});
