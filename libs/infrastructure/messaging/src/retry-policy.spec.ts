import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CRASH_LOOP_RETURNS, REFRESH_AFTER_RETURNS, RetryHeader, afterFailure, onArrival, outageDelay } from './retry-policy';

describe('retry policy', () => {
  it('waits out an outage with growing delays, for ever, never counting it as a failure', () => {
    assert.deepEqual([0, 1, 2, 3, 50].map((n) => outageDelay(n).name), ['1s', '5s', '30s', '30s', '30s']);
    let headers: Record<string, unknown> = { 'x-order-uuid': 'u' };
    const delays: string[] = [];
    for (let i = 0; i < 10; i++) {
      const step = afterFailure(headers, 'outage', 3, 'ECONNREFUSED');
      assert.equal(step.kind, 'retry');
      if (step.kind !== 'retry') return;
      delays.push(step.delay.name);
      headers = step.headers;
    }
    assert.deepEqual(delays, ['1s', '5s', '30s', '30s', '30s', '30s', '30s', '30s', '30s', '30s']);
    assert.equal(headers[RetryHeader.OUTAGES], 10);
    assert.equal(headers[RetryHeader.FAILURES], 0);
    assert.equal(headers['x-order-uuid'], 'u', 'the original headers travel with the copy');
  });

  it('parks a message after maxFailures failures while everything answered, outages in between not counting', () => {
    let headers: Record<string, unknown> = {};
    const kinds: string[] = [];
    for (const cause of ['failure', 'outage', 'outage', 'failure', 'failure'] as const) {
      const step = afterFailure(headers, cause, 3, 'boom');
      kinds.push(step.kind === 'retry' ? step.delay.name : `park:${step.reason}`);
      headers = step.headers;
    }
    assert.deepEqual(kinds, ['1s', '1s', '5s', '1s', 'park:failed']);
    assert.equal(headers[RetryHeader.FAILURES], 3);
    assert.equal(headers[RetryHeader.LAST_ERROR], 'boom');
  });

  it('carries the broker\'s returns of a copy into the history, and drops its delivery count', () => {
    const step = afterFailure({ 'x-delivery-count': 2, [RetryHeader.RETURNS]: 1 }, 'outage', 3);
    assert.equal(step.headers[RetryHeader.RETURNS], 3);
    assert.equal(step.headers['x-delivery-count'], undefined);
  });

  it('refreshes a copy returned often, and parks one that keeps crashing its consumer', () => {
    assert.equal(onArrival({}), null);
    assert.equal(onArrival({ 'x-delivery-count': REFRESH_AFTER_RETURNS - 1 }), null);
    const refresh = onArrival({ 'x-delivery-count': REFRESH_AFTER_RETURNS, [RetryHeader.RETURNS]: 2 });
    assert.equal(refresh?.kind, 'retry');
    assert.equal(refresh?.headers[RetryHeader.RETURNS], REFRESH_AFTER_RETURNS + 2);
    const crash = onArrival({ 'x-delivery-count': REFRESH_AFTER_RETURNS, [RetryHeader.RETURNS]: CRASH_LOOP_RETURNS - REFRESH_AFTER_RETURNS });
    assert.deepEqual(crash && { kind: crash.kind, reason: crash.kind === 'park' ? crash.reason : '' }, { kind: 'park', reason: 'crash_loop' });
  });

  it('ignores history headers that are not counts', () => {
    const step = afterFailure({ [RetryHeader.FAILURES]: 'many', [RetryHeader.OUTAGES]: -3 }, 'failure', 3);
    assert.equal(step.headers[RetryHeader.FAILURES], 1);
    assert.equal(step.headers[RetryHeader.OUTAGES], 0);
  });
});
