import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BACKOFF, decideOrderRetry, isFinalClose, reconnectDelayMs } from './shopper-retry';

const half = () => 0.5;

describe('decideOrderRetry', () => {
  it('asks a 503 again after its Retry-After, on the same instance', () => {
    assert.deepEqual(decideOrderRetry({ status: 503, code: 'TRY_AGAIN', retryAfterMs: 1000 }, 1, 0, Infinity, half), { retry: true, delayMs: 1000, nextApi: false });
  });

  it('without Retry-After, backs off exponentially with jitter up to the cap', () => {
    assert.deepEqual(decideOrderRetry({ status: 503, code: 'TRY_AGAIN' }, 1, 0, Infinity, half), { retry: true, delayMs: BACKOFF.firstMs, nextApi: false });
    assert.deepEqual(decideOrderRetry({ status: 503 }, 3, 0, Infinity, half), { retry: true, delayMs: 400, nextApi: false });
    const capped = decideOrderRetry({ status: 503 }, 30, 0, Infinity, () => 0.999);
    assert.ok(capped.retry && capped.delayMs <= BACKOFF.maxMs);
    const low = decideOrderRetry({ status: 503 }, 1, 0, Infinity, () => 0);
    assert.ok(low.retry && low.delayMs === BACKOFF.firstMs * 0.75, 'jitter spreads shoppers refused together');
  });

  it('asks a connection error again on the next instance, and a 429 after its Retry-After', () => {
    assert.deepEqual(decideOrderRetry({ error: 'ECONNREFUSED' }, 1, 0, Infinity, half), { retry: true, delayMs: 100, nextApi: true });
    assert.deepEqual(decideOrderRetry({ status: 429, retryAfterMs: 2000 }, 1, 0, Infinity, half), { retry: true, delayMs: 2000, nextApi: false });
  });

  it('takes everything else as final', () => {
    for (const a of [{ status: 202 }, { status: 409, code: 'SOLD_OUT' }, { status: 409, code: 'ALREADY_ORDERED' }, { status: 400 }, { status: 500, code: 'INTERNAL' }]) {
      assert.deepEqual(decideOrderRetry(a, 1, 0, Infinity, half), { retry: false, gaveUp: false }, JSON.stringify(a));
    }
  });

  it('gives up when the retry would go out after the deadline', () => {
    assert.deepEqual(decideOrderRetry({ status: 503, retryAfterMs: 5000 }, 1, 10_000, 14_000, half), { retry: false, gaveUp: true });
    assert.deepEqual(decideOrderRetry({ error: 'ECONNRESET' }, 1, 10_000, 10_050, half), { retry: false, gaveUp: true });
    assert.equal(decideOrderRetry({ status: 503, retryAfterMs: 1000 }, 1, 10_000, 11_001, half).retry, true);
  });
});

describe('socket reconnects', () => {
  it('do not retry a socket the server refused for good', () => {
    assert.equal(isFinalClose(4401), true);
    assert.equal(isFinalClose(4403), true);
    for (const code of [1001, 1006, 1011, 1013, 4429]) assert.equal(isFinalClose(code), false, String(code));
  });

  it('back off like the order retries', () => {
    assert.equal(reconnectDelayMs(1, half), 100);
    assert.equal(reconnectDelayMs(2, half), 200);
    assert.ok(reconnectDelayMs(50, () => 1) <= BACKOFF.maxMs);
  });
});
