import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { agentInits, arrivalOffsets, dealShoppers } from './prepare';

describe('arrival patterns', () => {
  it('burst: everybody at the fire instant', () => {
    assert.deepEqual(arrivalOffsets(4, 'burst', 5), [0, 0, 0, 0]);
  });

  it('ramp: evenly spread over the ramp, the first at once', () => {
    assert.deepEqual(arrivalOffsets(4, 'ramp', 2), [0, 500, 1000, 1500]);
  });
});

describe('dealing shoppers', () => {
  const shoppers = Array.from({ length: 8 }, (_, i) => ({ userId: i + 1, username: `u${i}`, token: `t${i}` }));
  const shares = dealShoppers(shoppers, { clients: 2, apis: ['http://a', 'http://b'], notifiers: ['ws://x', 'ws://y'], offsets: arrivalOffsets(8, 'ramp', 8) });

  it('gives each client process an even share and each request its own uuid', () => {
    assert.deepEqual(shares.map((s) => s.map((x) => x.index)), [
      [0, 2, 4, 6],
      [1, 3, 5, 7],
    ]);
    const ids = shares.flat().map((s) => s.requestId);
    assert.equal(new Set(ids).size, 8);
    for (const id of ids) assert.match(id, /^[0-9a-f-]{36}$/);
  });

  it('spreads every client process over every order-api and notifier', () => {
    for (const share of shares) {
      assert.deepEqual(share.map((s) => s.api), ['http://a', 'http://b', 'http://a', 'http://b']);
      assert.deepEqual(share.map((s) => s.notifier), ['ws://x', 'ws://y', 'ws://x', 'ws://y']);
    }
  });

  it('keeps each shopper\'s arrival time through the deal', () => {
    assert.deepEqual(shares[1]!.map((s) => s.offsetMs), [1000, 3000, 5000, 7000]);
  });

  it('splits the connection pool and the open concurrency over the client processes', () => {
    const inits = agentInits(shares, { httpConnections: 100, openConcurrency: 512, pollIntervalMs: 500, retries: 5 }, 7, 123);
    assert.deepEqual(inits.map((i) => [i.poolSize, i.openConcurrency, i.itemId, i.deadline]), [
      [50, 256, 7, 123],
      [50, 256, 7, 123],
    ]);
    assert.equal(agentInits(shares, { httpConnections: 0, openConcurrency: 1, pollIntervalMs: 500, retries: 5 }, 7, 123)[0]!.poolSize, 0, 'one connection per shopper');
    assert.deepEqual(inits[1]!.retry, { retries: 5, firstMs: 100, maxMs: 2000 }, 'every client retries a 503 TRY_AGAIN alike');
  });
});
