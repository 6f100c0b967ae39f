import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RequestRecord } from '../loadtest/protocol';
import type { Check } from '../loadtest/verify';
import { computeScenarioFigures, judge, REQUIRED_LOADTEST_CHECKS, type DbState } from './figures';

const T = 1_800_000_000_000;
const FAULT = T + 1_000;

let next = 0;
const rec = (over: Partial<RequestRecord>): RequestRecord => {
  const index = next++;
  return { index, userId: 100 + index, requestId: `r-${index}`, client: 0, socket: 'open', conflictingFrames: 0, ...over };
};
const won = (sentAt: number, answeredAt: number, outcomeAt: number, orderNo: string, over: Partial<RequestRecord> = {}) =>
  rec({ sentAt, answeredAt, status: 202, outcome: { status: 'SUCCESS', orderNo, at: outcomeAt, via: 'push' }, ...over });

/** Three units: one sold before the fault, two after it; one shopper refused. */
function sale(): { records: RequestRecord[]; db: DbState } {
  next = 0;
  const records = [
    won(T, T + 50, T + 200, 'N0'),
    won(FAULT + 100, FAULT + 2_500, FAULT + 3_000, 'N1', { retried: [{ sentAt: FAULT + 10, answeredAt: FAULT + 40, status: 503, code: 'TRY_AGAIN', delayMs: 60 }] }),
    won(FAULT + 200, FAULT + 2_600, FAULT + 2_900, 'N2'),
    rec({ sentAt: FAULT + 300, answeredAt: FAULT + 400, status: 409, code: 'SOLD_OUT' }),
  ];
  const db: DbState = {
    stockTotal: 3,
    stockLeft: 0,
    orders: records.slice(0, 3).map((r, i) => ({ uuid: r.requestId, userId: r.userId, orderNo: `N${i}` })),
    decided: new Map(records.slice(0, 3).map((r) => [r.requestId, 'SUCCESS'])),
  };
  return { records, db };
}

const passing = (): Check[] => REQUIRED_LOADTEST_CHECKS.map((name) => ({ name, ok: true, detail: 'fine' }));

describe('scenario figures', () => {
  it('counts a clean sale through a fault', () => {
    const { records, db } = sale();
    const f = computeScenarioFigures(records, db, FAULT);
    assert.deepEqual(
      { ...f },
      {
        accepted: 3,
        acceptedAfterFault: 2,
        lost: 0,
        oversold: 0,
        duplicates: 0,
        unresolved: 0,
        failedAfter202: 0,
        tryAgain: 1,
        gaveUp: 0,
        transportErrors: 0,
        wentOnAfterMs: 2_500,
        firstOutcomeAfterMs: 2_900,
        unitsLeftAtFault: 2,
      },
    );
  });

  it('the sale went on from the first 202 of an order sent after the fault, not one sent before and answered after', () => {
    const { records, db } = sale();
    records.push(won(FAULT - 10, FAULT + 5, FAULT + 10, 'N9'));
    assert.equal(computeScenarioFigures(records, db, FAULT).wentOnAfterMs, 2_500);
  });

  it('a 202 nobody answered for and PostgreSQL never decided is lost; one PostgreSQL decided is only unresolved', () => {
    const { records, db } = sale();
    delete records[1]!.outcome;
    delete records[2]!.outcome;
    db.decided.delete(records[1]!.requestId);
    const f = computeScenarioFigures(records, db, FAULT);
    assert.equal(f.lost, 1);
    assert.equal(f.unresolved, 2);
  });

  it('a SUCCESS told to a shopper whose order PostgreSQL does not have is lost', () => {
    const { records, db } = sale();
    db.orders = db.orders.filter((o) => o.orderNo !== 'N2');
    assert.equal(computeScenarioFigures(records, db, FAULT).lost, 1);
  });

  it('orders beyond the stock are oversold; two orders of one shopper or one request are duplicates', () => {
    const { records, db } = sale();
    db.orders.push({ uuid: 'other', userId: 100, orderNo: 'N7' });
    db.orders.push({ uuid: records[1]!.requestId, userId: 999, orderNo: 'N8' });
    const f = computeScenarioFigures(records, db, FAULT);
    assert.equal(f.oversold, 2);
    assert.equal(f.duplicates, 2);
  });

  it('without a fault there is no time until the sale went on', () => {
    const { records, db } = sale();
    const f = computeScenarioFigures(records, db, undefined);
    assert.equal(f.wentOnAfterMs, undefined);
    assert.equal(f.unitsLeftAtFault, undefined);
  });
});

describe('scenario verdict', () => {
  it('passes a clean sale, keeping the load tool checks that are not invariants as observations', () => {
    const { records, db } = sale();
    const observed: Check = { name: 'every order request was answered', ok: false, detail: '3 gave up' };
    const { checks, observations } = judge(computeScenarioFigures(records, db, FAULT), db, [...passing(), observed], []);
    assert.ok(checks.every((c) => c.ok), JSON.stringify(checks.filter((c) => !c.ok)));
    assert.deepEqual(observations, [observed]);
    assert.ok(checks.some((c) => c.name === 'load tool: Redis = PostgreSQL'));
  });

  it('fails on each broken invariant', () => {
    const { records, db } = sale();
    const failed = (mutate: (r: RequestRecord[], d: DbState) => void, checks: Check[] = passing()) => {
      const s = sale();
      mutate(s.records, s.db);
      return judge(computeScenarioFigures(s.records, s.db, FAULT), s.db, checks, [])
        .checks.filter((c) => !c.ok)
        .map((c) => c.name);
    };
    assert.deepEqual(failed(() => undefined), []);
    assert.deepEqual(failed((r) => delete r[2]!.outcome), ['every 202 resolved']);
    assert.deepEqual(failed((_, d) => (d.stockLeft = 1)), ['no oversell']);
    assert.deepEqual(failed((r) => r.splice(1, 2)), ['the sale went on']);
    assert.deepEqual(
      failed(
        () => undefined,
        passing().map((c) => (c.name === 'Redis = PostgreSQL' ? { ...c, ok: false } : c)),
      ),
      ['load tool: Redis = PostgreSQL'],
    );
    assert.deepEqual(failed(() => undefined, []), ['load tool: verification ran']);
    assert.ok(records.length > 0 && db.stockTotal === 3);
  });

  it('a fault that came after the last unit was accepted did not land mid-sale', () => {
    const { records, db } = sale();
    const f = computeScenarioFigures(records, db, T + 10_000);
    assert.equal(f.unitsLeftAtFault, 0);
    assert.equal(judge(f, db, passing(), []).checks.find((c) => c.name === 'the fault landed mid-sale')?.ok, false);
  });
});
