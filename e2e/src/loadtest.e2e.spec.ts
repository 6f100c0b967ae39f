import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { REPO_ROOT } from '@seckill/testing';

/**
 * `npm run loadtest` end to end, small: the compiled tool is run as operators run it (a process, its exit code,
 * its report), in self-hosted mode, so it starts and removes its own order-api, order-worker and notifiers.
 * (Module boundaries keep e2e from importing tools/, which is fine: the command line is the interface.)
 */
const dir = mkdtempSync(join(tmpdir(), 'loadtest-e2e-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Figures {
  ok: boolean;
  requests: { total: number; accepted: number; soldOut: number; byStatus: [string, number][]; maxInFlight: number };
  outcomes: { success: number; fail: number; pushed: number; missing: number };
  latency: { clickToPushedOutcome: { count: number; p50: number } };
  invariants: { name: string; ok: boolean; detail: string }[];
}

function runTool(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(REPO_ROOT, 'dist/tools/src/loadtest/main.js'), ...args], { cwd: REPO_ROOT, timeout: 240_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('npm run loadtest', () => {
  it('sells exactly the stock to 300 shoppers, checks every invariant and writes its report', async () => {
    const report = join(dir, 'report.html');
    const res = await runTool(['--shoppers', '300', '--stock', '50', '--report', report, '--timeout-seconds', '150', '--no-progress']);
    assert.equal(res.code, 0, `exit code (stdout:\n${res.stdout}\nstderr:\n${res.stderr})`);

    assert.ok(existsSync(report), 'the HTML report exists');
    const html = readFileSync(report, 'utf8');
    assert.match(html, /PASS: every invariant holds/);
    assert.match(html, /<svg /);

    const f = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Figures;
    assert.equal(f.ok, true);
    assert.equal(f.outcomes.success, 50, 'exactly the stock was sold');
    assert.equal(f.requests.total, 300);
    assert.equal(f.requests.accepted, 50, 'one 202 per unit: nothing failed after acceptance');
    assert.equal(f.requests.soldOut, 250);
    assert.equal(f.outcomes.pushed, 50, 'every outcome came over the sockets');
    assert.equal(f.outcomes.missing, 0);
    assert.equal(f.latency.clickToPushedOutcome.count, 50);
    assert.ok(f.requests.maxInFlight >= 100, `requests overlapped (max ${f.requests.maxInFlight} in flight)`);
    assert.ok(f.invariants.length >= 8 && f.invariants.every((c) => c.ok), JSON.stringify(f.invariants, null, 2));

    assert.match(res.stdout, /RESULT: all invariants hold/);
    assert.match(res.stdout, /202 accepted\s+50\b/);
    assert.ok(res.stdout.includes(`report: ${report}`));
  });

  it('refuses a target that is not loopback, before doing anything', async () => {
    const res = await runTool(['--target', 'http://192.0.2.1:3000', '--notifier', 'ws://192.0.2.1:8085']);
    assert.equal(res.code, 2);
    assert.match(res.stderr, /not loopback/);
  });
});
