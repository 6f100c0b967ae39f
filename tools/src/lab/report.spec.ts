import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ScenarioFigures } from './figures';
import { COLUMNS, failureLines, markdownReport, observationLines, oneLine, renderMarkdown, renderText, row, timelineLines } from './report';
import type { ScenarioResult } from './run-scenario';

const figures = (over: Partial<ScenarioFigures> = {}): ScenarioFigures => ({
  accepted: 300,
  acceptedAfterFault: 240,
  lost: 0,
  oversold: 0,
  duplicates: 0,
  unresolved: 0,
  failedAfter202: 0,
  tryAgain: 1234,
  gaveUp: 0,
  transportErrors: 0,
  wentOnAfterMs: 3_250,
  firstOutcomeAfterMs: 3_900,
  unitsLeftAtFault: 240,
  ...over,
});

const result = (over: Partial<ScenarioResult> = {}): ScenarioResult => ({
  name: 'redis-failover',
  title: 'hot master killed',
  fault: 'master of the hot slot killed',
  startedAt: '2027-01-10T09:00:00.000Z',
  durationMs: 61_000,
  ok: true,
  timeline: [
    { atSeconds: 1.2, what: 'redis3 killed' },
    { atSeconds: 4.4, what: 'redis4 promoted' },
  ],
  faultSeconds: 12.3,
  figures: figures(),
  checks: [{ name: 'nothing lost', ok: true, detail: '0 of 300' }],
  observations: [],
  notes: [],
  ...over,
});

describe('lab results table', () => {
  it('has one cell per column, in the order of the header', () => {
    assert.deepEqual(row(result()), [
      'redis-failover',
      'master of the hot slot killed; whole again after 12.3 s',
      '300',
      '0',
      '0',
      '0',
      '0',
      '3.3 s',
      '3.9 s',
      '1,234',
      'PASS',
    ]);
    assert.equal(row(result()).length, COLUMNS.length);
  });

  it('says never when the sale did not go on, and counts the failed checks', () => {
    const r = result({ ok: false, figures: figures({ wentOnAfterMs: undefined, firstOutcomeAfterMs: undefined }), checks: [{ name: 'the sale went on', ok: false, detail: 'none' }] });
    assert.deepEqual(row(r).slice(7), ['never', 'never', '1,234', 'FAIL (1)']);
  });

  it('a scenario that broke off has dashes for its figures', () => {
    const r = result({ ok: false, figures: undefined, faultSeconds: undefined, checks: [{ name: 'the scenario ran to its end', ok: false, detail: 'x' }] });
    assert.deepEqual(row(r), ['redis-failover', 'master of the hot slot killed', '–', '–', '–', '–', '–', '–', '–', '–', 'FAIL (1)']);
  });

  it('aligns the text table and escapes pipes in markdown', () => {
    const text = renderText([result(), result({ name: 'api-cutoff' })]).split('\n');
    assert.equal(text.length, 4);
    assert.ok(text[1]!.startsWith('-'));
    assert.equal(text[2]!.indexOf('PASS'), text[3]!.indexOf('PASS'));
    const md = renderMarkdown([result({ fault: 'a | b' })]).split('\n');
    assert.equal(md[0], `| ${COLUMNS.join(' | ')} |`);
    assert.match(md[1]!, /^\|---\|---\|---:/);
    assert.match(md[2]!, /a \\\| b/);
  });

  it('lists moments, failures and observations', () => {
    assert.deepEqual(timelineLines([result()]), ['redis-failover: +1.2 s redis3 killed; +4.4 s redis4 promoted']);
    const failing = result({ ok: false, checks: [{ name: 'nothing lost', ok: false, detail: '2 of 300 accepted orders lost' }] });
    assert.deepEqual(failureLines([result(), failing]), ['redis-failover:', '  - nothing lost: 2 of 300 accepted orders lost']);
    const noted = result({
      figures: figures({ gaveUp: 3, failedAfter202: 2 }),
      observations: [{ name: 'no 5xx', ok: false, detail: '1 answers: 500' }],
      notes: ['before it (rabbit-kill had failed): every app restarted'],
    });
    assert.deepEqual(observationLines([noted]), [
      'redis-failover: before it (rabbit-kill had failed): every app restarted; no 5xx: 1 answers: 500; 2 accepted orders ended FAIL; 3 shoppers gave up on 503 TRY_AGAIN',
    ]);
  });

  it('puts a detail that spans lines (the output of a failed command) on one line, bounded', () => {
    assert.equal(oneLine('start_app failed:\nError:\n  {:rabbit, …}'), 'start_app failed: Error: {:rabbit, …}');
    assert.equal(oneLine('x'.repeat(500), 10), `${'x'.repeat(9)}…`);
    const r = result({ ok: false, checks: [{ name: 'the lab came back whole', ok: false, detail: 'a\nb' }] });
    assert.deepEqual(failureLines([r]), ['redis-failover:', '  - the lab came back whole: a b']);
  });

  it('the markdown report says when, how and with what sizes', () => {
    const md = markdownReport(
      { startedAt: '2027-01-10T09:00:00.000Z', durationMs: 330_000, command: 'npm run lab', cpus: 2, node: 'v20.20.2', shoppers: 2000, stock: 300, rampSeconds: 30, holdSeconds: 10 },
      [result()],
    );
    assert.match(md, /^Run of 2027-01-10 09:00:00 UTC: `npm run lab`, 5\.5 min on 2 cores \(Node v20\.20\.2\); per scenario 2,000 shoppers for 300 units/);
    assert.match(md, /\| redis-failover \| master of the hot slot killed; whole again after 12\.3 s \| 300 \|/);
    assert.match(md, /- redis-failover: \+1\.2 s redis3 killed/);
    assert.doesNotMatch(md, /Failed checks/);
  });
});
