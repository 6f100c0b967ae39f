import type { Finding, RouteStats } from './engine';

/** What a run found and sent: printed as a table, written as JSON (the e2e test reads the JSON). */
export interface FuzzSummary {
  ok: boolean;
  seed: number;
  runs: number;
  target: string;
  requests: number;
  fiveXx: number;
  routes: RouteStats[];
  findings: Finding[];
  state: {
    checked: boolean;
    /** Differences after the refused phase (must be none). */
    refusedPhase: string[];
    /** Growth the lenient phase's accepted requests do not explain (must be none). */
    lenientPhase: string[];
    accepted: { registered: number; created: number; ordered: number };
  };
  durationSeconds: number;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

/** Long reproducers are cut in the table (the JSON summary has them whole). */
function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}… (${s.length} chars; whole in the JSON summary)` : s;
}

/** The human report: requests per route, then each finding with its reproducer, then the state check. */
export function renderReport(s: FuzzSummary): string {
  const lines: string[] = [];
  const width = Math.max(5, ...s.routes.map((r) => r.route.length));
  lines.push(`${pad('route', width)}  ${pad('sent', 6)}  ${pad('2xx', 5)}  ${pad('4xx', 6)}  ${pad('5xx', 4)}  findings`);
  const count = (r: RouteStats, lo: number, hi: number) => Object.entries(r.byStatus).reduce((n, [k, v]) => (Number(k) >= lo && Number(k) < hi ? n + v : n), 0);
  for (const r of s.routes) {
    lines.push(`${pad(r.route, width)}  ${pad(String(r.sent), 6)}  ${pad(String(count(r, 200, 300)), 5)}  ${pad(String(count(r, 400, 500)), 6)}  ${pad(String(count(r, 500, 600)), 4)}  ${r.findings}`);
  }
  lines.push('');
  for (const [i, f] of s.findings.entries()) {
    lines.push(`FINDING ${i + 1}: ${f.kind} on ${f.route} (${f.family}: ${f.mutation})`);
    lines.push(`  ${f.detail}`);
    if (f.occurrences > 1) lines.push(`  seen ${f.occurrences} times${f.routes.length > 1 ? ` on ${f.routes.length} routes: ${f.routes.join(', ')}` : ''}`);
    lines.push(`  ${f.reproducer.method} ${clip(f.reproducer.path, 300)}`);
    for (const [k, v] of Object.entries(f.reproducer.headers)) lines.push(`  ${k}: ${clip(v, 200)}`);
    if (f.reproducer.body !== undefined) lines.push(`  body: ${clip(JSON.stringify(f.reproducer.body), 400)}`);
    lines.push(`  fast-check: seed ${f.seed}, path "${f.path}", ${f.shrinks} shrinks`);
    lines.push('');
  }
  if (!s.state.checked) lines.push('state check: skipped (--target without --database-url)');
  else {
    lines.push(`state after the refused phase: ${s.state.refusedPhase.length === 0 ? 'unchanged (PostgreSQL and Redis)' : `CHANGED: ${s.state.refusedPhase.join('; ')}`}`);
    const a = s.state.accepted;
    lines.push(
      `state after the lenient phase: ${s.state.lenientPhase.length === 0 ? `explained by what was accepted (${a.registered} registrations, ${a.created} sale items, ${a.ordered} orders)` : `UNEXPLAINED: ${s.state.lenientPhase.join('; ')}`}`,
    );
  }
  lines.push(`seed ${s.seed}, ${s.requests} requests in ${s.durationSeconds.toFixed(1)} s against ${s.target}`);
  lines.push(s.ok ? `RESULT: nothing found (${s.requests} requests, 0 5xx)` : `RESULT: ${s.findings.length} finding(s), ${s.fiveXx} 5xx response(s)${s.state.refusedPhase.length + s.state.lenientPhase.length > 0 ? ', state changed' : ''}`);
  return `${lines.join('\n')}\n`;
}
