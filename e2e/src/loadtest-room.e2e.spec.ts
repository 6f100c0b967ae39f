import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { REPO_ROOT } from '@seckill/testing';

/**
 * `npm run loadtest -- --room` end to end, small: the compiled tool sells the same stock to the same shoppers twice
 * on a self-hosted system, without and then through a waiting room, and its report must show that every shopper
 * got a final answer, nothing was oversold and order-api's busiest second was quieter with the room.
 */
const dir = mkdtempSync(join(tmpdir(), 'loadtest-room-e2e-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Peak {
  count: number;
  total: number;
}
interface Check {
  name: string;
  ok: boolean;
  detail: string;
}
interface Figures {
  ok: boolean;
  invariants: Check[];
  outcomes: { success: number };
  room: {
    peak: { withRoom: Peak; withoutRoom: Peak; ordersWithRoom: Peak; ordersWithoutRoom: Peak };
    answers: { byKind: Record<'SUCCESS' | 'FAIL' | 'CLOSED' | 'REFUSED' | 'NONE', number> };
    admission: { admitted: number };
    waits: { count: number; p50: number };
    eta: { count: number; promised: number; withinShare: number };
  };
  baseline: { ok: boolean; invariants: Check[]; requests: { total: number }; outcomes: { success: number } };
}

function runTool(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(REPO_ROOT, 'dist/tools/src/loadtest/main.js'), ...args], { cwd: REPO_ROOT, timeout: 300_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('npm run loadtest -- --room', () => {
  it('sells exactly the stock to 300 shoppers with and without the room; every shopper answered, a quieter peak with it', async () => {
    const report = join(dir, 'report.html');
    const res = await runTool(['--room', '--shoppers', '300', '--stock', '50', '--room-rate', '100', '--pre-queue-seconds', '4', '--report', report, '--timeout-seconds', '120', '--no-progress']);
    const out = `stdout:\n${res.stdout}\nstderr:\n${res.stderr}`;
    assert.equal(res.code, 0, `exit code (${out})`);

    const f = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Figures;
    const failed = (cs: Check[]) => JSON.stringify(cs.filter((c) => !c.ok), null, 2);
    assert.equal(f.ok, true);
    assert.ok(f.invariants.every((c) => c.ok), failed(f.invariants));
    assert.ok(f.baseline.ok && f.baseline.invariants.every((c) => c.ok), failed(f.baseline.invariants));
    for (const name of ['every shopper got a final answer', 'the room sold every unit', 'Redis = PostgreSQL', 'nobody bought twice', 'every SUCCESS is an order in PostgreSQL and vice versa']) {
      assert.ok(f.invariants.some((c) => c.name === name && c.ok), `${name} checked and held`);
    }

    const k = f.room.answers.byKind;
    assert.equal(k.NONE, 0, 'nobody left hanging');
    assert.equal(k.SUCCESS + k.FAIL + k.CLOSED + k.REFUSED, 300, 'every shopper has a final answer');
    assert.equal(k.SUCCESS, 50, 'exactly the stock sold through the room: no oversell');
    assert.equal(f.outcomes.success, 50);
    assert.equal(f.baseline.outcomes.success, 50, 'and exactly the stock without it');
    assert.equal(f.baseline.requests.total, 300);

    const p = f.room.peak;
    assert.ok(p.withRoom.count < p.withoutRoom.count, `peak with the room ${p.withRoom.count}/s < without ${p.withoutRoom.count}/s`);
    assert.ok(p.ordersWithRoom.count < p.ordersWithoutRoom.count, `order POSTs: ${p.ordersWithRoom.count}/s < ${p.ordersWithoutRoom.count}/s`);
    assert.ok(p.withRoom.total >= 300 + f.room.admission.admitted, 'a join per shopper and an order per admission were counted');

    assert.ok(f.room.admission.admitted >= 50, `admitted ${f.room.admission.admitted}`);
    assert.equal(f.room.waits.count, f.room.admission.admitted, 'a wait per admission');
    assert.ok(f.room.eta.count > 0 && f.room.eta.count <= f.room.eta.promised, 'ETA promises compared with admissions');

    assert.match(res.stdout, /=== sale 1 of 2: without the waiting room ===/);
    assert.match(res.stdout, /order-api peak \(busiest 1 s\)/);
    assert.match(res.stdout, /ETA at join/);
    assert.match(res.stdout, /RESULT: all invariants hold, with and without the room/);
    assert.match(readFileSync(report, 'utf8'), /<h2>Waiting room<\/h2>/);
  });
});
