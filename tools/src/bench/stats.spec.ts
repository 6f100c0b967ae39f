import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { median, percentile, summarise } from './stats';

describe('percentile', () => {
  it('interpolates between ranks and ignores input order', () => {
    assert.equal(percentile([4, 1, 3, 2], 50), 2.5);
    assert.equal(percentile([10, 20, 30, 40, 50], 90), 46);
    assert.equal(percentile([7], 99), 7);
    assert.equal(percentile([3, 1, 2], 0), 1);
    assert.equal(percentile([3, 1, 2], 100), 3);
  });

  it('is NaN for no values and refuses p outside 0..100', () => {
    assert.ok(Number.isNaN(percentile([], 50)));
    assert.throws(() => percentile([1], 101), RangeError);
  });

  it('median of an odd count is the middle value', () => {
    assert.equal(median([5, 1, 9]), 5);
  });
});

describe('summarise', () => {
  it('takes the highest repetition as best for a throughput, and reports the spread', () => {
    const s = summarise([90, 100, 110]);
    assert.deepEqual(s, { n: 3, best: 110, median: 100, min: 90, max: 110, spreadPct: 20 });
  });

  it('takes the lowest repetition as best for a cost', () => {
    assert.equal(summarise([3, 2, 4], 'lower').best, 2);
  });

  it('skips failed repetitions (NaN) and survives having none', () => {
    assert.equal(summarise([Number.NaN, 5]).n, 1);
    assert.ok(Number.isNaN(summarise([]).best));
  });
});
