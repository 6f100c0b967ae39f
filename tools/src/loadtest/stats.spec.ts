import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { binFor, histogram, maxOf, minOf, niceStep, niceTicks, percentile, percentiles, rateSeries, stackedHistogram, tally } from './stats';

describe('percentiles', () => {
  it('are nearest-rank: always a measured value', () => {
    const v = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100
    assert.equal(percentile(v, 50), 50);
    assert.equal(percentile(v, 90), 90);
    assert.equal(percentile(v, 99), 99);
    assert.equal(percentile(v, 100), 100);
    assert.equal(percentile(v, 0), 1);
    assert.equal(percentile([7], 99), 7);
    assert.ok(Number.isNaN(percentile([], 50)));
  });

  it('rounds the rank up on small samples', () => {
    // 10 values: p50 is the 5th, p90 the 9th, p99 the 10th.
    const v = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    assert.deepEqual([percentile(v, 50), percentile(v, 90), percentile(v, 99)], [50, 90, 100]);
  });

  it('sorts their input and reports count, max and mean', () => {
    const p = percentiles([5, 1, 4, 2, 3]);
    assert.deepEqual(p, { count: 5, p50: 3, p90: 5, p99: 5, max: 5, mean: 3 });
    assert.equal(percentiles([]).count, 0);
  });
});

describe('nice numbers', () => {
  it('steps are 1, 2 or 5 times a power of ten, never below the request', () => {
    assert.deepEqual([0.3, 1, 1.1, 3, 7, 12, 450, 999].map(niceStep), [0.5, 1, 2, 5, 10, 20, 500, 1000]);
  });

  it('ticks start at zero and cover the maximum', () => {
    assert.deepEqual(niceTicks(9_300, 5), [0, 2000, 4000, 6000, 8000, 10000]);
    assert.deepEqual(niceTicks(1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
    assert.deepEqual(niceTicks(0), [0]);
  });

  it('bins stay readable and at most ~120 per chart', () => {
    assert.equal(binFor(20_000), 200);
    assert.equal(binFor(300), 10, 'never below 10 ms');
  });
});

describe('histogram', () => {
  it('buckets by a readable width and counts every value once', () => {
    const values = [0, 1, 9.99, 10, 25, 49, 50];
    const h = histogram(values, 5, 1);
    assert.equal(h.width, 10);
    assert.deepEqual(
      h.buckets.map((b) => [b.from, b.count]),
      [
        [0, 3],
        [10, 1],
        [20, 1],
        [30, 0],
        [40, 1],
      ],
    );
    assert.equal(h.overflow, 1, '50 is past the last bucket [40, 50)');
    assert.equal(h.buckets.reduce((a, b) => a + b.count, 0) + h.overflow, values.length);
  });

  it('keeps one straggler from squashing the rest: the tail beyond the clip quantile is counted, not drawn', () => {
    const values = [...Array.from({ length: 999 }, (_, i) => i % 100), 60_000];
    const h = histogram(values, 40, 0.995);
    assert.ok(h.overflowFrom <= 200, `range ends near the bulk (${h.overflowFrom})`);
    assert.equal(h.overflow, 1);
    assert.equal(h.buckets.reduce((a, b) => a + b.count, 0), 999);
  });

  it('gives a tail that fits one more bucket that bucket instead of an overflow', () => {
    const h = histogram([1, 2, 3, 4, 5, 6, 7, 8, 9, 9.7], 40, 0.9);
    assert.equal(h.overflow, 0);
  });

  it('stacks groups on one bucket layout', () => {
    const s = stackedHistogram([
      { name: 'a', values: [1, 2, 11] },
      { name: 'b', values: [15, 19] },
    ], 2, 1);
    assert.equal(s.width, 10);
    assert.deepEqual(s.edges, [0, 10]);
    assert.deepEqual(s.groups.map((g) => g.counts), [
      [2, 1],
      [0, 2],
    ]);
  });

  it('is empty for no values', () => {
    assert.deepEqual(histogram([]).buckets, []);
  });
});

describe('rates over time', () => {
  it('counts events per bin and scales them to per second', () => {
    const s = rateSeries([0, 5, 99, 100, 250, -1], 300, 100);
    assert.deepEqual(s.t, [0, 100, 200]);
    assert.deepEqual(s.perSecond, [30, 10, 10]);
  });

  it('puts an event at the very end into the last bin', () => {
    assert.deepEqual(rateSeries([300], 300, 100).perSecond, [0, 0, 10]);
  });
});

describe('small helpers', () => {
  it('min and max over long arrays', () => {
    const big = Array.from({ length: 200_000 }, (_, i) => i);
    assert.equal(maxOf(big), 199_999);
    assert.equal(minOf(big), 0);
  });

  it('tally sorts by count, then by name', () => {
    assert.deepEqual(tally(['b', 'a', 'b', 'c', 'a', 'b']), [
      ['b', 3],
      ['a', 2],
      ['c', 1],
    ]);
  });
});
