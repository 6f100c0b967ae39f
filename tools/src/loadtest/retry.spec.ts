import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffMs, decideRetry, isRetryable, parseRetryAfter, type RetryPolicy } from './retry';

const policy: RetryPolicy = { retries: 5, firstMs: 100, maxMs: 2000 };
const low = () => 0;
const mid = () => 0.5;
const high = () => 1;

describe('which answers are retried', () => {
  it('retries 503 TRY_AGAIN only', () => {
    assert.equal(isRetryable({ status: 503, code: 'TRY_AGAIN' }), true);
    assert.equal(isRetryable({ status: 503 }), false, 'a 503 without the contract code is not the API saying "ask again"');
    assert.equal(isRetryable({ status: 500, code: 'INTERNAL' }), false);
    assert.equal(isRetryable({ status: 409, code: 'SOLD_OUT' }), false);
    assert.equal(isRetryable({ status: 429, code: 'RATE_LIMITED' }), false);
    assert.equal(isRetryable({ status: 202 }), false);
    assert.equal(isRetryable({}), false, 'a transport error is polled, not posted again');
  });
});

describe('backoff', () => {
  it('doubles from the first delay up to the cap', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7].map((n) => backoffMs(n, policy, mid)), [100, 200, 400, 800, 1600, 2000, 2000]);
  });

  it('jitters by ±25 % and never exceeds the cap', () => {
    assert.equal(backoffMs(1, policy, low), 75);
    assert.equal(backoffMs(1, policy, high), 125);
    assert.equal(backoffMs(5, policy, low), 1200);
    assert.equal(backoffMs(5, policy, high), 2000, '1600 × 1.25 = 2000: at the cap');
    assert.equal(backoffMs(6, policy, high), 2000, '2000 × 1.25 is cut to the cap');
    assert.equal(backoffMs(6, policy, low), 1500);
  });

  it('spreads a herd of identical retries', () => {
    let seed = 1;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    const delays = new Set(Array.from({ length: 100 }, () => Math.round(backoffMs(1, policy, random))));
    assert.ok(delays.size > 20, `100 shoppers refused together come back at ${delays.size} different ms`);
    for (const d of delays) assert.ok(d >= 75 && d <= 125, `${d} within 75..125`);
  });
});

describe('Retry-After', () => {
  const now = Date.parse('2027-01-15T08:00:00Z');

  it('reads delta-seconds', () => {
    assert.equal(parseRetryAfter('0', now), 0);
    assert.equal(parseRetryAfter(' 2 ', now), 2000);
    assert.equal(parseRetryAfter('120', now), 120_000);
  });

  it('reads an HTTP-date, a past one as now', () => {
    assert.equal(parseRetryAfter('Fri, 15 Jan 2027 08:00:03 GMT', now), 3000);
    assert.equal(parseRetryAfter('Fri, 15 Jan 2027 07:59:00 GMT', now), 0);
  });

  it('ignores what is absent or unreadable', () => {
    assert.equal(parseRetryAfter(undefined, now), undefined);
    assert.equal(parseRetryAfter('', now), undefined);
    assert.equal(parseRetryAfter('-1', now), undefined);
    assert.equal(parseRetryAfter('1.5', now), undefined);
    assert.equal(parseRetryAfter('soon', now), undefined);
  });
});

describe('the decision after an answer', () => {
  const tryAgain = { status: 503, code: 'TRY_AGAIN' };
  const now = 1_000_000;
  const far = now + 3_600_000;

  it('leaves every other answer alone, and says nobody gave up', () => {
    assert.deepEqual(decideRetry({ status: 202 }, 1, policy, now, far, mid), { retry: false });
    assert.deepEqual(decideRetry({ status: 409, code: 'SOLD_OUT' }, 3, policy, now, far, mid), { retry: false });
  });

  it('backs off more after each attempt', () => {
    assert.deepEqual(decideRetry(tryAgain, 1, policy, now, far, mid), { retry: true, delayMs: 100, basis: 'backoff' });
    assert.deepEqual(decideRetry(tryAgain, 3, policy, now, far, mid), { retry: true, delayMs: 400, basis: 'backoff' });
  });

  it('honours Retry-After instead of the backoff, even above the cap', () => {
    assert.deepEqual(decideRetry({ ...tryAgain, retryAfterMs: 5000 }, 1, policy, now, far, mid), { retry: true, delayMs: 5000, basis: 'retry-after' });
    assert.deepEqual(decideRetry({ ...tryAgain, retryAfterMs: 0 }, 4, policy, now, far, mid), { retry: true, delayMs: 0, basis: 'retry-after' });
  });

  it('allows exactly `retries` further attempts, then gives up', () => {
    assert.equal(decideRetry(tryAgain, 5, policy, now, far, mid).retry, true, 'the 5th answer may still be retried: attempt 6 is the 5th retry');
    assert.deepEqual(decideRetry(tryAgain, 6, policy, now, far, mid), { retry: false, gaveUp: 'retries' });
    assert.deepEqual(decideRetry(tryAgain, 1, { ...policy, retries: 0 }, now, far, mid), { retry: false, gaveUp: 'retries' }, '--retries 0: the first 503 is the last answer');
  });

  it('gives up rather than schedule a retry after the deadline', () => {
    assert.equal(decideRetry(tryAgain, 1, policy, now, now + 101, mid).retry, true);
    assert.deepEqual(decideRetry(tryAgain, 1, policy, now, now + 100, mid), { retry: false, gaveUp: 'deadline' });
    assert.deepEqual(decideRetry({ ...tryAgain, retryAfterMs: 60_000 }, 1, policy, now, now + 30_000, mid), { retry: false, gaveUp: 'deadline' });
  });
});
