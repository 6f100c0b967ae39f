import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sampleFigures, sampleRecords, sampleRun } from './fixtures';
import type { RequestRecord } from './protocol';
import { answerLabel, computeFigures, describeRetries, formatSummary } from './summary';

describe('figures of a run', () => {
  const f = sampleFigures();

  it('counts answers by status and code', () => {
    assert.equal(f.requests.total, 10);
    assert.equal(f.requests.sent, 10);
    assert.equal(f.requests.answered, 9);
    assert.equal(f.requests.accepted, 3);
    assert.equal(f.requests.soldOut, 6);
    assert.deepEqual(f.requests.byStatus, [
      ['409 SOLD_OUT', 6],
      ['202 QUEUED', 3],
      ['error ECONNRESET', 1],
    ]);
  });

  it('measures rates from the first request to the last answer of each kind', () => {
    // 3 accepted, the last 120 ms after the first request: 25/s. 6 sold out, the last at 58 ms.
    assert.equal(f.rates.acceptedPerSec, 25);
    assert.ok(Math.abs(f.rates.soldOutPerSec - 6000 / 58) < 1e-9);
    assert.equal(f.requests.answerSpanMs, 120);
    assert.equal(f.requests.sendSpanMs, 9);
    assert.equal(f.requests.firstAnswerMs, 53, 'the first 409 (sent at 3, answered at 53); the reset at 80 is no answer');
  });

  it('measures click to pushed outcome from the send to the frame', () => {
    // Sent at 0, 1, 2; frames at 200, 300, 400.
    assert.deepEqual(
      [f.latency.clickToPushedOutcome.count, f.latency.clickToPushedOutcome.p50, f.latency.clickToPushedOutcome.max],
      [3, 299, 398],
    );
    assert.equal(f.outcomes.pushed, 3);
    assert.equal(f.outcomes.success, 3);
    assert.equal(f.outcomes.missing, 0);
    assert.equal(f.outcomes.lastOutcomeMs, 400);
  });

  it('keeps HTTP latency per kind', () => {
    assert.equal(f.latency.httpAccepted.p50, 109);
    assert.equal(f.latency.httpSoldOut.max, 50);
    assert.equal(f.latency.httpAll.count, 9);
  });

  it('counts how many requests were on the wire at once', () => {
    assert.equal(f.requests.maxInFlight, 10);
  });

  it('fails the run when one invariant fails', () => {
    assert.equal(f.ok, false);
    const allOk = computeFigures(sampleRecords(), sampleRun, f.preparation, [{ name: 'x', ok: true, detail: '' }]);
    assert.equal(allOk.ok, true);
    assert.equal(computeFigures(sampleRecords(), { ...sampleRun, timedOut: true }, f.preparation, [{ name: 'x', ok: true, detail: '' }]).ok, false);
    assert.equal(computeFigures(sampleRecords(), sampleRun, f.preparation, []).ok, false, 'nothing verified is not a pass');
  });

  it('draws throughput series that add up to the counts', () => {
    const tp = f.charts.throughput;
    const total = (name: string) => tp.series.find((s) => s.name === name)!.perSecond.reduce((a, v) => a + (v * tp.binMs) / 1000, 0);
    assert.equal(Math.round(total('202 accepted')), 3);
    assert.equal(Math.round(total('409 sold out')), 6);
    assert.equal(Math.round(total('outcomes pushed')), 3);
    const cu = f.charts.cumulative;
    const last = (name: string) => cu.series.find((s) => s.name === name)!.total.at(-1);
    assert.deepEqual([last('sent'), last('answered'), last('202 accepted'), last('outcomes pushed')], [10, 9, 3, 3]);
  });

  it('labels answers that never came', () => {
    assert.equal(answerLabel({ index: 0, userId: 1, requestId: '', client: 0, socket: 'open', conflictingFrames: 0 }), 'not sent');
    assert.equal(answerLabel({ index: 0, userId: 1, requestId: '', client: 0, socket: 'open', conflictingFrames: 0, sentAt: 1 }), 'no answer');
  });
});

describe('figures of a run with retries', () => {
  // Shopper 0: 503 at 40, retried after 110 ms, 202 at 200, pushed at 500. Shopper 1: three 503s, gave up.
  // Shopper 2: 409 at once. Shopper 3: its retry still in flight when the run stopped.
  const t = 1_900_000_000_000;
  const base = (index: number): RequestRecord => ({ index, userId: index, requestId: `r${index}`, client: 0, socket: 'open', conflictingFrames: 0, issuedAt: t });
  const try503 = (sentAt: number, answeredAt: number) => ({ sentAt: t + sentAt, answeredAt: t + answeredAt, status: 503, code: 'TRY_AGAIN', delayMs: 100 });
  const records: RequestRecord[] = [
    { ...base(0), retried: [try503(0, 40)], sentAt: t + 150, answeredAt: t + 200, status: 202, uuid: 'r0', outcome: { status: 'SUCCESS', orderNo: 'N0', at: t + 500, via: 'push' } },
    { ...base(1), retried: [try503(1, 41), try503(150, 190)], sentAt: t + 300, answeredAt: t + 340, status: 503, code: 'TRY_AGAIN', gaveUp: 'retries' },
    { ...base(2), sentAt: t + 2, answeredAt: t + 20, status: 409, code: 'SOLD_OUT' },
    { ...base(3), retried: [{ ...try503(3, 43), retryAfterMs: 1000, delayMs: 1000 }], sentAt: t + 1100 },
  ];
  const f = computeFigures(records, { ...sampleRun, shoppers: 4, stock: 1, retries: 2 }, { saleAndShoppersMs: 1, socketsMs: 1, socketsOpen: 4, socketsFailed: 0, connectionsOpen: 4 }, [{ name: 'x', ok: true, detail: '' }]);

  it('counts shoppers once and every POST and every answer apart', () => {
    assert.deepEqual([f.requests.total, f.requests.sent, f.requests.answered, f.requests.accepted, f.requests.soldOut], [4, 4, 3, 1, 1]);
    assert.deepEqual([f.requests.posts, f.requests.responses], [8, 7]);
    assert.equal(f.requests.sendSpanMs, 3, 'the first attempts went out within 3 ms; the retries are not the burst');
  });

  it('keeps every response in the responses by status', () => {
    assert.deepEqual(f.requests.byStatus, [
      ['503 TRY_AGAIN', 5],
      ['202 QUEUED', 1],
      ['409 SOLD_OUT', 1],
      ['no answer', 1],
    ]);
  });

  it('counts retries, who settled and who gave up', () => {
    assert.deepEqual(f.retries, {
      limit: 2,
      retried: 4,
      shoppers: 3,
      settled: 1,
      gaveUp: 1,
      gaveUpOutOfRetries: 1,
      gaveUpOutOfTime: 0,
      attemptsPerShopper: [
        ['1', 1],
        ['2', 2],
        ['3', 1],
      ],
      byRetryAfter: 1,
    });
    assert.equal(describeRetries(f), '4 × 503 TRY_AGAIN retried with the same requestId by 3 shoppers (at most 3 attempts, limit 3; 1 after Retry-After); 1 then got a final answer, 1 GAVE UP (1 out of retries)');
  });

  it('measures click to outcome from the first click, and HTTP latency per answer', () => {
    assert.equal(f.latency.clickToPushedOutcome.p50, 500, 'from the first POST at 0, not the retry at 150');
    assert.equal(f.latency.httpAll.count, 7);
    assert.equal(f.latency.httpAccepted.p50, 50);
    assert.deepEqual([f.latency.httpTryAgain.count, f.latency.httpTryAgain.max], [5, 40]);
    assert.equal(f.requests.maxInFlight, 4, 'attempts, not shoppers, are what is in flight');
  });

  it('says when nothing needed a retry, or retries were off', () => {
    assert.equal(describeRetries(sampleFigures()), 'none needed (no 503 TRY_AGAIN)');
    assert.equal(describeRetries({ retries: { ...sampleFigures().retries, limit: 0 } }), 'off (--retries 0)');
  });
});

describe('the printed summary', () => {
  it('shows the headline figures, the latency table and every invariant', () => {
    const text = formatSummary(sampleFigures(), '/tmp/report.html');
    assert.match(text, /10 shoppers, 3 units, burst/);
    assert.match(text, /202 accepted\s+3\s+25\/s/);
    assert.match(text, /409 sold out\s+6\s+103\/s/);
    assert.match(text, /click → pushed outcome\s+3\s+299\s+398\s+398\s+398/);
    assert.match(text, /ok {4}sold = stock/);
    assert.match(text, /FAIL {2}every order request was answered/);
    assert.match(text, /retries {7}none needed \(no 503 TRY_AGAIN\)/);
    assert.match(text, /RESULT: FAILED/);
    assert.match(text, /report: \/tmp\/report\.html/);
  });
});
