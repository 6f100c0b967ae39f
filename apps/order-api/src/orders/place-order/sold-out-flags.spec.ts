import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SoldOutFlags } from './sold-out-flags';

describe('SoldOutFlags', () => {
  it('answers sold out from memory once marked, until cleared', () => {
    const flags = new SoldOutFlags(10_000);
    assert.equal(flags.isSoldOut(1), false);
    assert.equal(flags.markSoldOut(1, flags.generation(1)), true);
    assert.equal(flags.isSoldOut(1), true);
    assert.equal(flags.isSoldOut(2), false);
    flags.clear(1);
    assert.equal(flags.isSoldOut(1), false);
  });

  it('ignores a sold-out answer that a stock-back broadcast has overtaken', () => {
    const flags = new SoldOutFlags(10_000);
    const seen = flags.generation(1);
    flags.clear(1); // the broadcast arrives while the Redis answer is still on its way
    assert.equal(flags.markSoldOut(1, seen), false);
    assert.equal(flags.isSoldOut(1), false);
  });

  it('expires flags so a lost broadcast costs only a short undersell', () => {
    let now = 1000;
    const flags = new SoldOutFlags(500, () => now);
    flags.markSoldOut(3, flags.generation(3));
    now = 1499;
    assert.equal(flags.isSoldOut(3), true);
    now = 1500;
    assert.equal(flags.isSoldOut(3), false);
  });

  it('clears every flag after a reconnect', () => {
    const flags = new SoldOutFlags(10_000);
    flags.markSoldOut(1, 0);
    flags.markSoldOut(2, 0);
    flags.clearAll();
    assert.equal(flags.isSoldOut(1) || flags.isSoldOut(2), false);
  });
});
