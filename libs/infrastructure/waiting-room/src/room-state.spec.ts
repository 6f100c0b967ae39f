import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRoomEvent } from './room-events';
import { etaSeconds, parseRoomState, toFrame, toTicket } from './room-state';

describe('room state', () => {
  const pace = { admitPerSecond: 20, startMs: 10_000 };

  it('estimates the wait as the time until the start plus one place per 1/rate, to a tenth of a second', () => {
    assert.equal(etaSeconds(0, pace, 10_000), 0.1);
    assert.equal(etaSeconds(39, pace, 10_000), 2);
    assert.equal(etaSeconds(39, pace, 4_000), 8, 'six seconds to the start, then two');
    assert.equal(etaSeconds(2, { admitPerSecond: 3, startMs: 0 }, 5_000), 1);
  });

  it('reads every reply of room-ticket.lua, and refuses one it does not know', () => {
    assert.deepEqual(parseRoomState(['WAITING', '4', '12000', '20', '10000']), { kind: 'WAITING', ahead: 4, nowMs: 12_000, pace });
    assert.deepEqual(parseRoomState(['ADMITTED', 'ab12', '99000']), { kind: 'ADMITTED', token: 'ab12', expiresMs: 99_000 });
    assert.deepEqual(parseRoomState(['CLOSED', 'ENDED']), { kind: 'CLOSED', reason: 'ENDED' });
    assert.deepEqual(parseRoomState(['NOT_OPEN', '5000']), { kind: 'NOT_OPEN', opensMs: 5000 });
    assert.deepEqual(parseRoomState(['OPEN']), { kind: 'OPEN' });
    assert.throws(() => parseRoomState(['MAYBE']), /unexpected room-ticket reply/);
    assert.throws(() => parseRoomState([]), /unexpected room-ticket reply/);
  });

  it('maps states to the contract: tickets for HTTP, frames for the socket, nothing for states that are neither', () => {
    const waiting = parseRoomState(['WAITING', '4', '12000', '20', '10000']);
    assert.deepEqual(toTicket(7, waiting), { seckillGoodId: 7, status: 'WAITING', position: 5, ahead: 4, etaSeconds: 0.3 });
    assert.deepEqual(toFrame(7, waiting), { type: 'room.position', seckillGoodId: 7, position: 5, ahead: 4, etaSeconds: 0.3 });
    const admitted = { kind: 'ADMITTED' as const, token: 'ab', expiresMs: Date.UTC(2026, 0, 1) };
    assert.deepEqual(toTicket(7, admitted), { seckillGoodId: 7, status: 'ADMITTED', admissionToken: 'ab', expiresAt: '2026-01-01T00:00:00.000Z' });
    assert.deepEqual(toFrame(7, admitted), { type: 'room.admitted', seckillGoodId: 7, admissionToken: 'ab', expiresAt: '2026-01-01T00:00:00.000Z' });
    assert.deepEqual(toTicket(7, { kind: 'CLOSED', reason: 'SOLD_OUT' }), { seckillGoodId: 7, status: 'CLOSED', reason: 'SOLD_OUT' });
    assert.deepEqual(toTicket(7, { kind: 'OPEN' }), { seckillGoodId: 7, status: 'OPEN' });
    assert.equal(toFrame(7, { kind: 'OPEN' }), undefined);
    assert.equal(toTicket(7, { kind: 'NONE' }), undefined);
    assert.equal(toTicket(7, { kind: 'UNCONFIGURED' }), undefined);
  });

  it('reads the admitter\'s announcements and ignores anything else', () => {
    assert.deepEqual(parseRoomEvent('{"kind":"closed","itemId":3,"reason":"SOLD_OUT"}'), { kind: 'closed', itemId: 3, reason: 'SOLD_OUT' });
    assert.deepEqual(parseRoomEvent('{"kind":"admitted","itemId":3,"expiresMs":5,"admitted":[[1,"aa"],["x","bb"]]}'), {
      kind: 'admitted',
      itemId: 3,
      expiresMs: 5,
      admitted: [[1, 'aa']],
    });
    for (const bad of ['', 'null', '{"kind":"closed","itemId":3,"reason":"BORED"}', '{"kind":"admitted","itemId":"3"}', '[1]']) assert.equal(parseRoomEvent(bad), undefined, bad);
  });
});
