import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultJoinSeconds, OPEN_MARGIN_MS, planRoomSale } from './room-plan';

describe('the waiting room sale plan', () => {
  it('opens the room just before the first join and starts the item a pre-queue after the opening', () => {
    const p = planRoomSale(100_000, { shoppers: 4, preQueueSeconds: 5, joinSeconds: 2, liveSeconds: 60 });
    assert.equal(p.fireAt, 100_000);
    assert.equal(p.startTime - 5_000, 100_000 - OPEN_MARGIN_MS, 'the room opens before the first join');
    assert.deepEqual(p.offsets, [0, 500, 1000, 1500]);
    assert.ok(100_000 + p.offsets.at(-1)! < p.startTime, 'every join lands in the pre-queue');
    assert.equal(p.endTime, p.startTime + (60 + 3600) * 1000);
  });

  it('with the default spread, the last join has half the pre-queue left', () => {
    for (const pre of [1, 3, 5, 60]) {
      const p = planRoomSale(0, { shoppers: 1000, preQueueSeconds: pre, joinSeconds: defaultJoinSeconds(pre), liveSeconds: 60 });
      assert.ok(p.startTime - p.offsets.at(-1)! >= (pre * 1000) / 2 - OPEN_MARGIN_MS, `pre-queue ${pre} s`);
    }
  });

  it('without a pre-queue the item is live already and the joins are all at once by default', () => {
    const p = planRoomSale(50_000, { shoppers: 3, preQueueSeconds: 0, joinSeconds: defaultJoinSeconds(0), liveSeconds: 60 });
    assert.ok(p.startTime < p.fireAt);
    assert.deepEqual(p.offsets, [0, 0, 0]);
  });
});
