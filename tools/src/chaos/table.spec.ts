import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Figures } from './checks';
import type { ScenarioResult } from './run-scenario';
import { COLUMNS, failureLines, renderMarkdown, renderText, row, timelineLines } from './table';

const figures = (over: Partial<Figures> = {}): Figures => ({
  shoppers: 3000, clicked: 3000, accepted: 1294, refused: 1706, gaveUp: 0, unanswered: 0, posts: 3100, byAnswer: {}, tryAgain: 0,
  tryAgainDuringFault: 0, withoutRetryAfter: 0, otherServerErrors: 0, maxInFlight: 256, outcomesReceived: 1294, pushed: 1294,
  afterReconnect: 0, decided: 1294, polled: 0, success: 300, fail: 994, lost: 0, undelivered: 0, disagreements: 0, sold: 300,
  oversold: 0, duplicates: 0, brokenPromises: 994, stranded: 0, publishing: 0, redisCounter: 0, stockLeft: 0, parked: 0,
  readyMs: 120, socketDrops: 0, pageRequests: 10, pageTimeouts: 0, ...over,
});

const result = (over: Partial<ScenarioResult> = {}): ScenarioResult => ({
  name: 'redis-restart-empty',
  title: 'Redis restarted empty',
  fault: 'kill -9 + empty start',
  startedAt: '2026-12-01T10:00:00.000Z',
  durationMs: 13_700,
  ok: false,
  faults: [{ atSeconds: 0.4, what: 'Redis killed' }, { atSeconds: 0.7, what: 'Redis started empty' }],
  faultSeconds: 0.3,
  figures: figures(),
  checks: [
    { name: 'no oversell', ok: true, detail: '300 orders for 300 units' },
    { name: 'no broken promises', ok: false, detail: '994 of 1,294 202s ended FAIL SOLD_OUT' },
  ],
  logs: 'artifacts/logs/chaos-redis-restart-empty-x-*.log',
  ...over,
});

describe('results table', () => {
  it('has one cell per column, in the order of the header', () => {
    assert.deepEqual(row(result()), [
      'redis-restart-empty',
      'kill -9 + empty start at +0.4 s, over in 0.3 s',
      '1,294',
      '1,294/1,294',
      '0',
      '0',
      '994',
      '0',
      '0',
      '0.1 s',
      '0',
      '13.7 s',
      'FAIL (1)',
    ]);
    assert.equal(row(result()).length, COLUMNS.length);
  });

  it('says how many outcomes were only polled, and when the apps never became ready', () => {
    const cells = row(result({ ok: true, checks: [], figures: figures({ outcomesReceived: 290, accepted: 300, polled: 10, readyMs: undefined }) }));
    assert.equal(cells[3], '290/300 (+10 polled)');
    assert.equal(cells[9], 'never');
    assert.equal(cells[12], 'PASS');
  });

  it('shows a scenario that broke off without figures', () => {
    const cells = row(result({ figures: undefined, faults: [], checks: [{ name: 'the scenario ran to its end', ok: false, detail: 'boom' }] }));
    assert.deepEqual(cells.slice(2, 11), ['–', '–', '–', '–', '–', '–', '–', '–', '–']);
    assert.equal(cells[1], 'kill -9 + empty start, over in 0.3 s');
    assert.deepEqual(cells.slice(11), ['13.7 s', 'FAIL (1)']);
  });

  it('aligns the text table: every line as wide as the header, numbers right-aligned', () => {
    const text = renderText([result(), result({ name: 'worker-sigkill-twice', ok: true, checks: [], figures: figures({ accepted: 300, outcomesReceived: 300, brokenPromises: 0 }) })]);
    const lines = text.split('\n');
    assert.equal(lines.length, 4);
    assert.match(lines[0]!, /^scenario\s+faults injected\s+202s\s+outcomes\s+lost/);
    assert.match(lines[1]!, /^-+ +-+/);
    assert.match(lines[3]!, /^worker-sigkill-twice\s.*\s{3}300\s+300\/300\s/);
    const broken = lines[0]!.indexOf('broken promises') + 'broken promises'.length;
    assert.equal(lines[2]!.slice(broken - 3, broken), '994', 'right-aligned under its header');
  });

  it('renders markdown with a header, alignment row and escaped cells', () => {
    const md = renderMarkdown([result({ fault: 'a | b' })]).split('\n');
    assert.equal(md[0], `| ${COLUMNS.join(' | ')} |`);
    assert.equal(md[1], '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
    assert.match(md[2]!, /a \\\| b/);
  });

  it('tells each fault moment by moment', () => {
    assert.deepEqual(timelineLines([result(), result({ name: 'none', faults: [] })]), [
      'redis-restart-empty: +0.4 s Redis killed; +0.7 s Redis started empty',
      'none: no fault injected',
    ]);
  });

  it('lists every failed check under its scenario, and nothing for a pass', () => {
    assert.deepEqual(failureLines([result(), result({ name: 'ok-one', ok: true, checks: [{ name: 'x', ok: true, detail: '' }] })]), [
      'redis-restart-empty:',
      '  - no broken promises: 994 of 1,294 202s ended FAIL SOLD_OUT',
    ]);
  });
});
