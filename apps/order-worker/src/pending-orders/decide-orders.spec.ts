import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { liveKey, type LockedItem } from '@seckill/persistence';
import { decideOrders, type Candidate } from './decide-orders';

const lockedItem = (id: number, stockLeft: number): [number, LockedItem] => [id, { id, stockLeft, seckillPrice: '9.90' }];
let n = 0;
const req = (userId: number, seckillGoodId = 1, claim: Candidate['claim'] = 'CLAIMED'): Candidate => ({
  uuid: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
  userId,
  seckillGoodId,
  claim,
});

describe('decideOrders', () => {
  it('sells the last units in arrival order and fails the rest as SOLD_OUT', () => {
    const plan = decideOrders([req(1), req(2), req(3)], new Map([lockedItem(1, 2)]), new Set());
    assert.deepEqual(plan.decisions.map((d) => d.status), ['SUCCESS', 'SUCCESS', 'FAIL']);
    assert.equal(plan.decisions[2]!.status === 'FAIL' && plan.decisions[2]!.reason, 'SOLD_OUT');
    assert.deepEqual([...plan.decrements], [[1, 2]]);
  });

  it('refuses a second live order for the same shopper, from the database or from the same batch', () => {
    const plan = decideOrders([req(1), req(2), req(2)], new Map([lockedItem(1, 10)]), new Set([liveKey(1, 1)]));
    assert.deepEqual(
      plan.decisions.map((d) => (d.status === 'FAIL' ? d.reason : d.status)),
      ['ALREADY_ORDERED', 'SUCCESS', 'ALREADY_ORDERED'],
    );
    assert.equal(plan.decrements.get(1), 1);
  });

  it('fails abandoned requests and unknown items without touching stock', () => {
    const plan = decideOrders([req(1, 1, 'ABANDONED'), req(2, 99)], new Map([lockedItem(1, 10)]), new Set());
    assert.deepEqual(plan.decisions.map((d) => d.status === 'FAIL' && d.reason), ['INTERNAL', 'INTERNAL']);
    assert.equal(plan.decrements.size, 0);
  });

  it('keeps items apart', () => {
    const plan = decideOrders([req(1, 1), req(1, 2), req(2, 2)], new Map([lockedItem(1, 1), lockedItem(2, 1)]), new Set());
    assert.deepEqual(plan.decisions.map((d) => d.status), ['SUCCESS', 'SUCCESS', 'FAIL']);
    assert.deepEqual([...plan.decrements].sort(), [[1, 1], [2, 1]]);
  });

  it('never sells more than the stock, whatever the batch', () => {
    for (let trial = 0; trial < 200; trial++) {
      const stock = Math.floor(Math.random() * 20);
      const cands = Array.from({ length: Math.floor(Math.random() * 60) }, () => req(1 + Math.floor(Math.random() * 30)));
      const plan = decideOrders(cands, new Map([lockedItem(1, stock)]), new Set());
      const sold = plan.decisions.filter((d) => d.status === 'SUCCESS');
      assert.ok(sold.length <= stock);
      assert.equal(new Set(sold.map((d) => d.userId)).size, sold.length);
      assert.equal(plan.decrements.get(1) ?? 0, sold.length);
    }
  });
});
