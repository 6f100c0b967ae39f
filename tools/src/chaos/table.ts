import { markdownTable, textTable } from '../cli/table';
import type { ScenarioResult } from './run-scenario';

export const COLUMNS = ['scenario', 'faults injected', '202s', 'outcomes', 'lost', 'oversold', 'broken promises', '503s in fault', '5xx', 'time to ready', 'stranded', 'duration', 'verdict'] as const;

/** Columns holding numbers (right-aligned). */
const NUMERIC = new Set(COLUMNS.slice(2, -1).map((_, i) => i + 2));

const n = (x: number) => x.toLocaleString('en-US');
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** One row of the results table, as text cells (the same cells for the terminal and for markdown). */
export function row(r: ScenarioResult): string[] {
  const f = r.figures;
  const failed = r.checks.filter((c) => !c.ok).length;
  const start = r.faults[0]?.atSeconds;
  const faults = `${r.fault}${start !== undefined ? ` at +${start.toFixed(1)} s` : ''}${r.faultSeconds !== undefined ? `, over in ${r.faultSeconds.toFixed(1)} s` : ''}`;
  if (!f) return [r.name, faults, ...COLUMNS.slice(2, -2).map(() => '–'), seconds(r.durationMs), `FAIL (${failed})`];
  return [
    r.name,
    faults,
    n(f.accepted),
    `${n(f.outcomesReceived)}/${n(f.accepted)}${f.polled > 0 ? ` (+${n(f.polled)} polled)` : ''}`,
    n(f.lost),
    n(f.oversold),
    n(f.brokenPromises),
    n(f.tryAgainDuringFault),
    n(f.otherServerErrors),
    f.readyMs === undefined ? 'never' : seconds(f.readyMs),
    n(f.stranded),
    seconds(r.durationMs),
    r.ok ? 'PASS' : `FAIL (${failed})`,
  ];
}

/** The results table for the terminal: columns padded, numbers right-aligned. */
export function renderText(results: readonly ScenarioResult[]): string {
  return textTable(COLUMNS, results.map(row), NUMERIC);
}

/** The same table in markdown (docs/reliability.md). */
export function renderMarkdown(results: readonly ScenarioResult[]): string {
  return markdownTable(COLUMNS, results.map(row), NUMERIC);
}

/** Under the table: every failed check with what it compared, so a FAIL says why without opening the JSON. */
export function failureLines(results: readonly ScenarioResult[], bullet = '  - '): string[] {
  const lines: string[] = [];
  for (const r of results) {
    const failed = r.checks.filter((c) => !c.ok);
    if (failed.length === 0) continue;
    lines.push(`${r.name}:`);
    for (const c of failed) lines.push(`${bullet}${c.name}: ${c.detail}`);
  }
  return lines;
}

/** Each scenario's fault, moment by moment, in seconds from the start of its sale. */
export function timelineLines(results: readonly ScenarioResult[]): string[] {
  return results.map((r) => `${r.name}: ${r.faults.map((m) => `+${m.atSeconds.toFixed(1)} s ${m.what}`).join('; ') || 'no fault injected'}`);
}
