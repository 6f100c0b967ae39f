import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RequestRecord, RoomRecord } from './protocol';
import { finalAnswer } from './room-answers';

const room = (x: Partial<RoomRecord>): RoomRecord => ({ joinAttempts: 1, socket: 'open', positionFrames: 0, polls: 0, joinSentAt: 1, ...x });
const rec = (x: Partial<RequestRecord>): RequestRecord => ({ index: 0, userId: 1, requestId: 'r', client: 0, socket: 'failed', conflictingFrames: 0, ...x });
const waiting = room({ joinStatus: 200, joined: 'WAITING', joinAnsweredAt: 2, position: 3, etaSeconds: 1 });
const admitted = { ...waiting, admittedAt: 3, via: 'push' as const };

describe("a waiting-room shopper's final answer", () => {
  it('is the outcome for an admitted shopper whose order was accepted', () => {
    assert.deepEqual(finalAnswer(rec({ room: admitted, sentAt: 4, status: 202, outcome: { status: 'SUCCESS', orderNo: 'N', at: 5, via: 'push' } })), { kind: 'SUCCESS', label: 'SUCCESS' });
    assert.deepEqual(finalAnswer(rec({ room: admitted, sentAt: 4, status: 202, outcome: { status: 'FAIL', reason: 'SOLD_OUT', at: 5, via: 'poll' } })), { kind: 'FAIL', label: 'FAIL SOLD_OUT' });
  });

  it('is CLOSED with its reason for a shopper the room sent away', () => {
    assert.deepEqual(finalAnswer(rec({ room: { ...waiting, closed: { reason: 'SOLD_OUT', at: 9 }, via: 'push' } })), { kind: 'CLOSED', label: 'CLOSED SOLD_OUT' });
  });

  it('is a refusal with its code for a refused order or join', () => {
    assert.deepEqual(finalAnswer(rec({ room: admitted, sentAt: 4, status: 409, code: 'SOLD_OUT' })), { kind: 'REFUSED', label: 'order 409 SOLD_OUT' });
    assert.deepEqual(finalAnswer(rec({ room: admitted, sentAt: 4, status: 403, code: 'NOT_ADMITTED' })), { kind: 'REFUSED', label: 'order 403 NOT_ADMITTED' });
    assert.deepEqual(finalAnswer(rec({ room: room({ joinStatus: 403, joinCode: 'SALE_NOT_STARTED' }) })), { kind: 'REFUSED', label: 'join 403 SALE_NOT_STARTED' });
  });

  it('is none, saying where, for a shopper left hanging', () => {
    const none = (r: RequestRecord) => {
      const a = finalAnswer(r);
      assert.equal(a.kind, 'NONE', a.label);
      return a.label;
    };
    assert.equal(none(rec({ room: waiting })), 'still waiting in the room');
    assert.equal(none(rec({ room: room({}) })), 'join unanswered');
    assert.equal(none(rec({ room: room({ joinError: 'ECONNRESET' }) })), 'join failed (ECONNRESET)');
    assert.equal(none(rec({ room: room({ joinStatus: 503, joinCode: 'TRY_AGAIN' }) })), 'join gave up on 503 TRY_AGAIN');
    assert.equal(none(rec({ room: room({ joinStatus: 429, joinCode: 'RATE_LIMITED' }) })), 'join gave up on 429 RATE_LIMITED');
    assert.equal(none(rec({ room: admitted })), 'admitted, order not sent');
    assert.equal(none(rec({ room: admitted, sentAt: 4 })), 'order unanswered');
    assert.equal(none(rec({ room: admitted, sentAt: 4, status: 202 })), 'accepted, no outcome');
    assert.equal(none(rec({ room: admitted, sentAt: 4, status: 503, code: 'TRY_AGAIN', gaveUp: 'retries' })), 'order gave up on 503 TRY_AGAIN');
    assert.equal(none(rec({ room: admitted, sentAt: 4, error: 'ECONNRESET' })), 'order failed (ECONNRESET), outcome unknown');
    assert.equal(none(rec({})), 'never joined');
  });
});
