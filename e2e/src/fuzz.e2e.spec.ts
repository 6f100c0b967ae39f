import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT } from '@seckill/testing';

/**
 * The CI run of `npm run fuzz`: 1,500 requests with a fixed seed (42), so a failure here replays exactly, through
 * the compiled command as operators run it (module boundaries keep e2e from importing tools/; the command and its
 * JSON summary are the interface). It starts its own product (RATE_LIMITS=off) and asserts every route of
 * /docs-json was fuzzed, no answer was a 5xx or broke the error-body contract, and the state checks held.
 */
const RUNS = 1500;
const SEED = 42;

interface Finding {
  route: string;
  family: string;
  kind: string;
  detail: string;
  mutation: string;
  reproducer: { method: string; path: string; headers: Record<string, string>; body?: string };
  seed: number;
  path: string;
  occurrences: number;
  routes: string[];
}

interface Summary {
  ok: boolean;
  seed: number;
  runs: number;
  requests: number;
  fiveXx: number;
  routes: { route: string; sent: number; byStatus: Record<string, number>; findings: number }[];
  findings: Finding[];
  state: { checked: boolean; refusedPhase: string[]; lenientPhase: string[]; accepted: { registered: number; created: number; ordered: number } };
}

const dir = mkdtempSync(join(tmpdir(), 'fuzz-e2e-'));
const out = join(dir, 'fuzz.json');
let run: { code: number | null; stdout: string; stderr: string };
let summary: Summary;

before(async () => {
  run = await new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(REPO_ROOT, 'dist/tools/src/fuzz/main.js'), '--runs', String(RUNS), '--seed', String(SEED), '--out', out],
      { cwd: REPO_ROOT, timeout: 300_000, maxBuffer: 32 * 1024 * 1024 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
  summary = JSON.parse(readFileSync(out, 'utf8')) as Summary;
});

after(() => rmSync(dir, { recursive: true, force: true }));

const describeFinding = (f: Finding) =>
  `${f.kind} on ${f.route} (${f.family}: ${f.mutation}), seen ${f.occurrences}×: ${f.detail}\n  ${f.reproducer.method} ${f.reproducer.path.slice(0, 300)}\n  body ${JSON.stringify(f.reproducer.body)?.slice(0, 300)}\n  fast-check seed ${f.seed} path ${f.path}`;

describe('npm run fuzz (CI run: 1,500 requests, seed 42)', () => {
  it('fuzzed every route of /docs-json with the whole budget, printed the table and exits 0 only when nothing was found', () => {
    assert.equal(summary.seed, SEED);
    assert.ok(summary.requests >= RUNS, `${summary.requests} requests sent (stderr:\n${run.stderr.slice(-3000)})`);
    assert.ok(summary.routes.length >= 15, `${summary.routes.length} routes`);
    for (const r of summary.routes) assert.ok(r.sent >= 20, `${r.route}: ${r.sent} requests`);
    // Every route answered something other than a refusal at least once: the fixtures gave ids real targets.
    for (const r of summary.routes) assert.ok(Object.keys(r.byStatus).some((s) => Number(s) < 300), `${r.route} never accepted anything: ${JSON.stringify(r.byStatus)}`);
    assert.match(run.stdout, /^route\s+sent\s+2xx\s+4xx\s+5xx\s+findings/m);
    for (const r of summary.routes) assert.ok(run.stdout.includes(r.route), `a table row for ${r.route}`);
    assert.equal(run.code, summary.ok ? 0 : 1);
  });

  it('no answer was a 5xx and no connection was dropped', () => {
    const severe = summary.findings.filter((f) => f.kind === '5xx' || f.kind === 'connection');
    assert.deepEqual(severe.map(describeFinding), []);
    assert.equal(summary.fiveXx, 0);
  });

  it('every error answer was {statusCode, code, message} with a known code', () => {
    assert.deepEqual(summary.findings.filter((f) => f.kind === 'error body').map(describeFinding), []);
  });

  it('no request that had to be refused was accepted, and PostgreSQL and Redis did not change while they were sent', () => {
    assert.deepEqual(summary.findings.filter((f) => f.kind === 'accepted').map(describeFinding), []);
    assert.equal(summary.state.checked, true);
    assert.deepEqual(summary.state.refusedPhase, []);
  });

  it('what the lenient requests changed is what their accepted answers explain', () => {
    assert.deepEqual(summary.state.lenientPhase, []);
    assert.ok(summary.state.accepted.registered + summary.state.accepted.created + summary.state.accepted.ordered > 0, 'some lenient requests were accepted');
  });
});
