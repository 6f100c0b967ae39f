import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maxOverlap } from './burst';

describe('maxOverlap', () => {
  it('counts what was in flight at once: touching intervals do not overlap', () => {
    assert.equal(maxOverlap([{ startedAt: 0, endedAt: 10 }, { startedAt: 5, endedAt: 15 }, { startedAt: 10, endedAt: 20 }]), 2);
    assert.equal(maxOverlap([{ startedAt: 0, endedAt: Infinity }, { startedAt: 1, endedAt: 2 }]), 2);
    assert.equal(maxOverlap([]), 0);
  });
});
