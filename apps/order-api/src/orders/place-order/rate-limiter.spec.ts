import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RateLimiter } from './rate-limiter';

describe('RateLimiter', () => {
  it('allows the budget per user per second and refuses the rest', () => {
    let now = 0;
    const limiter = new RateLimiter(2, () => now);
    assert.deepEqual([limiter.take(1), limiter.take(1), limiter.take(1), limiter.take(2)], [true, true, false, true]);
    now = 1000;
    assert.equal(limiter.take(1), true);
  });
});
