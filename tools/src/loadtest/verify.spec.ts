import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RequestRecord } from './protocol';
import { soldCheck } from './verify';

/** Shoppers of a sale as the clients record them; only what the check reads. */
function shopper(index: number, last: Partial<RequestRecord>): RequestRecord {
  return { index, userId: index, requestId: `r${index}`, client: 0, socket: 'open', conflictingFrames: 0, sentAt: 1, answeredAt: 2, ...last };
}
const sold = (i: number) => shopper(i, { status: 202, outcome: { status: 'SUCCESS', orderNo: `N${i}`, at: 3, via: 'push' } });
const refused = (i: number) => shopper(i, { status: 409, code: 'SOLD_OUT' });
const retriedOnce = { retried: [{ sentAt: 1, answeredAt: 2, status: 503, code: 'TRY_AGAIN', delayMs: 100 }] };

describe('sold = stock', () => {
  it('holds when the stock is sold and every shopper has a final answer', () => {
    const c = soldCheck([sold(0), sold(1), refused(2)], { sold: 2, left: 0, stockTotal: 2, stock: 2 });
    assert.deepEqual(c, { name: 'sold = stock', ok: true, detail: '2 orders in PostgreSQL, stock_left 0, stock 2' });
  });

  it('counts a shopper who got 202 after a retried 503 like any buyer', () => {
    const c = soldCheck([sold(0), shopper(1, { ...sold(1), ...retriedOnce }), refused(2)], { sold: 2, left: 0, stockTotal: 2, stock: 2 });
    assert.equal(c.ok, true);
  });

  it('fails an undersell when every shopper got a final answer: nothing excuses it', () => {
    const c = soldCheck([sold(0), refused(1), refused(2)], { sold: 1, left: 1, stockTotal: 2, stock: 2 });
    assert.equal(c.ok, false);
    assert.match(c.detail, /1 units unsold although every shopper got a final answer$/);
  });

  it('fails, and says why it cannot hold, when shoppers gave up on 503 TRY_AGAIN', () => {
    const gaveUp = (i: number) => shopper(i, { status: 503, code: 'TRY_AGAIN', gaveUp: 'retries', retried: Array.from({ length: 5 }, () => retriedOnce.retried[0]!) });
    const c = soldCheck([sold(0), gaveUp(1), gaveUp(2), refused(3)], { sold: 1, left: 2, stockTotal: 3, stock: 3 });
    assert.equal(c.ok, false, 'not green: the units were there and the shoppers left without them');
    assert.match(c.detail, /cannot hold: 2 units unsold while 2 shoppers gave up on 503 TRY_AGAIN \(2 after 6 attempts\)/);
    assert.doesNotMatch(c.detail, /more units than they account for/);
  });

  it('says when the unsold units are more than the shoppers without an answer account for', () => {
    const outOfTime = shopper(1, { status: 503, code: 'TRY_AGAIN', gaveUp: 'deadline' });
    const c = soldCheck([sold(0), outOfTime, refused(2), refused(3)], { sold: 1, left: 3, stockTotal: 4, stock: 4 });
    assert.equal(c.ok, false);
    assert.match(c.detail, /1 shoppers gave up on 503 TRY_AGAIN \(1 when the run's time was up\)/);
    assert.match(c.detail, /2 more units than they account for were refused while in stock/);
  });

  it('names accepted orders that ended FAIL among the reasons', () => {
    const failed = shopper(1, { status: 202, outcome: { status: 'FAIL', reason: 'INTERNAL', at: 3, via: 'push' } });
    const c = soldCheck([sold(0), failed, refused(2)], { sold: 1, left: 1, stockTotal: 2, stock: 2 });
    assert.equal(c.ok, false);
    assert.match(c.detail, /1 accepted orders ended FAIL and gave their units back/);
  });

  it('always requires sold + left = stock', () => {
    assert.equal(soldCheck([sold(0), sold(1)], { sold: 2, left: 1, stockTotal: 2, stock: 2 }).ok, false);
    const few = soldCheck([sold(0)], { sold: 1, left: 2, stockTotal: 3, stock: 3 });
    assert.deepEqual([few.name, few.ok], ['sold + left = stock (demand below stock)', true]);
    assert.equal(soldCheck([sold(0)], { sold: 1, left: 1, stockTotal: 3, stock: 3 }).ok, false);
    assert.equal(soldCheck([sold(0)], { sold: 1, left: NaN, stockTotal: undefined, stock: 3 }).ok, false, 'no sale row');
  });
});
