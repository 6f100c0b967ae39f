import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { etaAccuracy, peakRate } from './room-stats';

describe('peak request rate', () => {
  it('counts the busiest window of 1 s, wherever it starts, not the busiest calendar second', () => {
    // 3 requests late in second 0 and 3 early in second 1: no calendar second holds more than 3, the window from 900 holds 6.
    const p = peakRate([100, 900, 950, 990, 1000, 1200, 1850, 5000], 100);
    assert.deepEqual(p, { count: 6, atMs: 800, total: 8 });
  });

  it('treats the window as half-open: an event 1,000 ms after the first is in the next window', () => {
    assert.equal(peakRate([0, 1000]).count, 1);
    assert.equal(peakRate([0, 999.9]).count, 2);
  });

  it('takes the times in any order, counts equal times each, and is 0 for none', () => {
    assert.equal(peakRate([3000, 10, 10, 10, 2999]).count, 3);
    assert.deepEqual(peakRate([]), { count: 0, atMs: 0, total: 0 });
  });

  it('has a window length of its own', () => {
    assert.equal(peakRate([0, 50, 99, 100, 150], 0, 100).count, 3);
  });

  it('a burst is its size; the same requests spread over 4 s are a quarter', () => {
    const burst = Array.from({ length: 400 }, (_, i) => 1000 + i / 100);
    const spread = Array.from({ length: 400 }, (_, i) => 1000 + i * 10);
    assert.equal(peakRate(burst).count, 400);
    assert.equal(peakRate(spread).count, 100);
  });
});

describe('ETA accuracy', () => {
  const at = (joinedAt: number, etaSeconds: number, admittedAt: number) => ({ joinedAt, etaSeconds, admittedAt });

  it('compares join time + ETA with the admission: median and p90 of the absolute error, signed median', () => {
    const a = etaAccuracy([at(0, 10, 10_000), at(0, 10, 11_000), at(0, 10, 8_500), at(1000, 5, 6_200), at(0, 2, 5_000)]);
    // errors: 0, +1000, −1500, +200, +3000 → |e| sorted 0, 200, 1000, 1500, 3000
    assert.equal(a.count, 5);
    assert.equal(a.medianAbsErrorMs, 1000);
    assert.equal(a.p90AbsErrorMs, 3000);
    assert.equal(a.medianSignedErrorMs, 200);
  });

  it('counts within ±20 % of the promised wait, inclusive at the edges', () => {
    // promised 10 s: 8 s and 12 s are in, 7.9 s and 12.1 s are out; promised 0 s: only exactly on time.
    const a = etaAccuracy([at(0, 10, 8_000), at(0, 10, 12_000), at(0, 10, 7_900), at(0, 10, 12_100), at(500, 0, 500), at(500, 0, 501)]);
    assert.equal(a.withinShare, 3 / 6);
    assert.equal(a.tolerance, 0.2);
    assert.equal(etaAccuracy([at(0, 10, 12_100)], 0.25).withinShare, 1);
  });

  it('has no figures without samples', () => {
    const a = etaAccuracy([]);
    assert.equal(a.count, 0);
    assert.ok(Number.isNaN(a.medianAbsErrorMs) && Number.isNaN(a.withinShare));
  });
});
