import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sampleFigures, sampleRecords, sampleRun } from './fixtures';
import { answerLabel, computeFigures, formatSummary } from './summary';

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

describe('the printed summary', () => {
  it('shows the headline figures, the latency table and every invariant', () => {
    const text = formatSummary(sampleFigures(), '/tmp/report.html');
    assert.match(text, /10 shoppers, 3 units, burst/);
    assert.match(text, /202 accepted\s+3\s+25\/s/);
    assert.match(text, /409 sold out\s+6\s+103\/s/);
    assert.match(text, /click → pushed outcome\s+3\s+299\s+398\s+398\s+398/);
    assert.match(text, /ok {4}sold = stock/);
    assert.match(text, /FAIL {2}every order request was answered/);
    assert.match(text, /RESULT: FAILED/);
    assert.match(text, /report: \/tmp\/report\.html/);
  });
});
