import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ScenarioResult } from './run-scenario';
import { docsBlock } from './suite';

const result = (name: string, ok: boolean): ScenarioResult => ({
  name,
  title: name,
  fault: 'SIGKILL',
  startedAt: '2026-12-01T10:00:00.000Z',
  durationMs: 10_000,
  ok,
  faults: [{ atSeconds: 0.5, what: 'killed' }],
  faultSeconds: 1,
  checks: ok ? [{ name: 'no oversell', ok: true, detail: '' }] : [{ name: 'nothing lost', ok: false, detail: '3 of 300 lost' }],
  logs: '',
});

describe('docsBlock', () => {
  it('says when and how the run was made, then the table, the timelines and the failed checks', () => {
    const block = docsBlock({
      startedAt: '2026-12-01T10:00:00.000Z',
      durationMs: 540_000,
      command: 'npm run chaos -- --write-docs',
      host: { cpus: 2, node: 'v20.20.2' },
      scenarios: [result('a', true), result('b', false)],
    }).split('\n');
    assert.equal(block[0], 'Last full run: 2026-12-01 10:00:00 UTC, `npm run chaos -- --write-docs`, 9.0 min on 2 cores (Node v20.20.2).');
    assert.match(block[2]!, /^\| scenario \| faults injected \|/);
    assert.ok(block.includes('- a: +0.5 s killed'));
    assert.deepEqual(block.slice(-3), ['', '- **b**', '  - nothing lost: 3 of 300 lost']);
  });
});
