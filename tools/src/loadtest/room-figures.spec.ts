import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RequestRecord, RoomRecord } from './protocol';
import { computeRoomFigures, orderSends, roomChecks } from './room-figures';

const START = 10_000;
let next = 0;
const rec = (room: Partial<RoomRecord>, order: Partial<RequestRecord> = {}): RequestRecord => ({
  index: next,
  userId: ++next,
  requestId: `r${next}`,
  client: 0,
  socket: 'open',
  conflictingFrames: 0,
  room: { joinAttempts: 1, socket: 'open', positionFrames: 2, polls: 0, joinSentAt: 1000, joinAnsweredAt: 1100, joinStatus: 200, joined: 'WAITING', position: 1, etaSeconds: 9, ...room },
  ...order,
});
const sold = (admittedAt: number, orderNo: string) =>
  rec({ admittedAt, via: 'push' }, { sentAt: admittedAt + 5, answeredAt: admittedAt + 50, status: 202, outcome: { status: 'SUCCESS', orderNo, at: admittedAt + 500, via: 'push' } });
const closed = () => rec({ closed: { reason: 'SOLD_OUT', at: 12_000 }, via: 'push' });

describe("the waiting room's figures", () => {
  it('counts final answers, waits, ETA accuracy and the peaks of both sales', () => {
    const records = [sold(10_100, 'A'), sold(11_100, 'B'), rec({ admittedAt: 11_200, via: 'poll' }, { sentAt: 11_205, answeredAt: 11_300, status: 409, code: 'SOLD_OUT' }), closed(), closed()];
    const baseline = { records: [rec({}, { sentAt: 500 }), rec({}, { sentAt: 501, retried: [{ sentAt: 400, answeredAt: 450, status: 503, code: 'TRY_AGAIN', delayMs: 50 }] })], apiSends: [400, 500, 501] };
    const f = computeRoomFigures({ records, apiSends: [1000, 1000, 1000, 1000, 1000, 10_105, 11_105, 11_205, 11_150], baseline, settings: { admitPerSecond: 100, preQueueSeconds: 10, joinSeconds: 0, startTime: START } });

    assert.deepEqual(f.answers.byKind, { SUCCESS: 2, FAIL: 0, CLOSED: 2, REFUSED: 1, NONE: 0 });
    assert.deepEqual(f.answers.labels, [['CLOSED SOLD_OUT', 2], ['SUCCESS', 2], ['order 409 SOLD_OUT', 1]]);
    assert.deepEqual([f.peak.withRoom.count, f.peak.withRoom.atMs, f.peak.withRoom.total], [5, 0, 9]);
    assert.deepEqual([f.peak.withoutRoom?.count, f.peak.ratio], [3, 5 / 3]);
    assert.deepEqual([f.peak.ordersWithRoom.count, f.peak.ordersWithoutRoom?.count], [2, 3], 'order POSTs, retries included');
    assert.equal(f.settings.startAfterFirstJoinMs, 9000);
    assert.deepEqual([f.joins.joined, f.joins.answeredBeforeStart], [5, 5]);
    assert.deepEqual([f.admission.admitted, f.admission.byPush, f.admission.byPoll, f.admission.positionFrames], [3, 2, 1, 10]);
    assert.deepEqual([f.waits.count, f.waits.p50, f.waits.max], [3, 10_100, 10_200], 'join on the wire → admission');
    assert.deepEqual([f.joinToTicket.count, f.joinToTicket.p50], [5, 100]);
    // Promised admission at 1,100 + 9,000 = 10,100: errors 0, +1,000, +1,100; within ±1,800: all three.
    assert.deepEqual([f.eta.promised, f.eta.count, f.eta.medianAbsErrorMs, f.eta.p90AbsErrorMs, f.eta.withinShare], [5, 3, 1000, 1100, 1]);
    assert.deepEqual([f.admittedToOutcome.count, f.admittedToOutcome.p50], [2, 500]);
    assert.ok(roomChecks(f, records, 2).every((c) => c.ok), JSON.stringify(roomChecks(f, records, 2)));
  });

  it('fails its checks for a shopper left waiting, a unit unsold, a token refused', () => {
    const records = [sold(10_100, 'A'), rec({}), rec({ admittedAt: 10_200, via: 'push' }, { sentAt: 10_205, answeredAt: 10_300, status: 403, code: 'NOT_ADMITTED' })];
    const f = computeRoomFigures({ records, apiSends: [1000], settings: { admitPerSecond: 100, preQueueSeconds: 10, joinSeconds: 0, startTime: START } });
    assert.equal(f.peak.withoutRoom, undefined);
    const checks = roomChecks(f, records, 2);
    assert.deepEqual(
      checks.map((c) => [c.name, c.ok]),
      [
        ['every shopper got a final answer', false],
        ['the room sold every unit', false],
        ['every admitted order was let in (no 403 NOT_ADMITTED)', false],
      ],
    );
    assert.match(checks[0]!.detail, /NONE: still waiting in the room 1/);
    assert.match(checks[1]!.detail, /1 SUCCESS of 2 units/);
  });

  it('lists every order attempt on the wire', () => {
    assert.deepEqual(orderSends([rec({}, { sentAt: 7, retried: [{ sentAt: 3, answeredAt: 4, status: 503, delayMs: 1 }] }), rec({})]), [3, 7]);
  });
});
