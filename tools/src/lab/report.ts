import { markdownTable, textTable } from '../cli/table';
import type { ScenarioResult } from './run-scenario';

export const COLUMNS = ['scenario', 'fault', 'orders accepted', 'lost', 'oversold', 'duplicates', 'unresolved', 'sale went on after', 'first outcome after', '503s retried', 'verdict'] as const;

/** Columns holding numbers (right-aligned). */
const NUMERIC = new Set([2, 3, 4, 5, 6, 7, 8, 9]);

export const MARKERS = { start: '<!-- lab-results:start -->', end: '<!-- lab-results:end -->' } as const;

const n = (x: number) => x.toLocaleString('en-US');
/** A check's detail on one line (a failed command's output spans several), at most `max` characters. */
export const oneLine = (text: string, max = 400) => {
  const line = text.replace(/\s*\n\s*/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
};
const seconds = (ms: number | undefined) => (ms === undefined ? 'never' : `${(ms / 1000).toFixed(1)} s`);

/** One row, as text cells (the same cells for the terminal and for markdown). */
export function row(r: ScenarioResult): string[] {
  const f = r.figures;
  const failed = r.checks.filter((c) => !c.ok).length;
  const verdict = r.ok ? 'PASS' : `FAIL (${failed})`;
  const fault = `${r.fault}${r.faultSeconds !== undefined ? `; whole again after ${r.faultSeconds.toFixed(1)} s` : ''}`;
  if (!f) return [r.name, fault, '–', '–', '–', '–', '–', '–', '–', '–', verdict];
  return [
    r.name,
    fault,
    n(f.accepted),
    n(f.lost),
    n(f.oversold),
    n(f.duplicates),
    n(f.unresolved),
    seconds(f.wentOnAfterMs),
    seconds(f.firstOutcomeAfterMs),
    n(f.tryAgain),
    verdict,
  ];
}

/** The table for the terminal: columns padded, numbers right-aligned. */
export function renderText(results: readonly ScenarioResult[]): string {
  return textTable(COLUMNS, results.map(row), NUMERIC);
}

/** The same table in markdown. */
export function renderMarkdown(results: readonly ScenarioResult[]): string {
  return markdownTable(COLUMNS, results.map(row), NUMERIC);
}

/** Each scenario's moments, in seconds from its first order. */
export function timelineLines(results: readonly ScenarioResult[]): string[] {
  return results.map((r) => `${r.name}: ${r.timeline.map((m) => `+${m.atSeconds.toFixed(1)} s ${m.what}`).join('; ') || 'no fault injected'}`);
}

/** Every failed check with what it compared, so a FAIL says why without opening the JSON. */
export function failureLines(results: readonly ScenarioResult[]): string[] {
  const lines: string[] = [];
  for (const r of results) {
    const failed = r.checks.filter((c) => !c.ok);
    if (failed.length === 0) continue;
    lines.push(`${r.name}:`);
    for (const c of failed) lines.push(`  - ${c.name}: ${oneLine(c.detail)}`);
  }
  return lines;
}

/** What the load tool also saw that is not an invariant here (shoppers who gave up during an outage, 5xx…). */
export function observationLines(results: readonly ScenarioResult[]): string[] {
  const lines: string[] = [];
  for (const r of results) {
    const f = r.figures;
    const notes = [...r.notes, ...r.observations.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`)].map((x) => oneLine(x));
    if (f && f.failedAfter202 > 0) notes.push(`${n(f.failedAfter202)} accepted orders ended FAIL`);
    if (f && f.gaveUp > 0) notes.push(`${n(f.gaveUp)} shoppers gave up on 503 TRY_AGAIN`);
    if (f && f.transportErrors > 0) notes.push(`${n(f.transportErrors)} order requests failed on the transport (then polled)`);
    if (notes.length) lines.push(`${r.name}: ${notes.join('; ')}`);
  }
  return lines;
}

export interface RunHeader {
  startedAt: string;
  durationMs: number;
  command: string;
  cpus: number;
  node: string;
  shoppers: number;
  stock: number;
  rampSeconds: number;
  holdSeconds: number;
}

/** The markdown written next to the JSON and, with --write-docs, between the markers of docs/scale-out.md. */
export function markdownReport(h: RunHeader, results: readonly ScenarioResult[]): string {
  const when = h.startedAt.replace('T', ' ').replace(/\..*$/, ' UTC');
  const failures = failureLines(results);
  const observations = observationLines(results);
  return [
    `Run of ${when}: \`${h.command}\`, ${(h.durationMs / 60_000).toFixed(1)} min on ${h.cpus} cores (Node ${h.node}); ` +
      `per scenario ${n(h.shoppers)} shoppers for ${n(h.stock)} units, arriving over ${h.rampSeconds} s, outages held ${h.holdSeconds} s.`,
    '',
    renderMarkdown(results),
    '',
    'Moments of each scenario (seconds from its first order):',
    '',
    ...timelineLines(results).map((l) => `- ${l}`),
    ...(observations.length ? ['', 'Also observed (not invariants):', '', ...observations.map((l) => `- ${l}`)] : []),
    ...(failures.length ? ['', 'Failed checks:', '', ...failures.map((l) => (l.startsWith('  - ') ? l : `- **${l.replace(/:$/, '')}**`))] : []),
  ].join('\n');
}
