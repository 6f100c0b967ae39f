import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shuffled } from './shuffled';

describe('shuffled (the per-process order of the cluster nodes)', () => {
  it('keeps every node exactly once and leaves the list given alone', () => {
    const nodes = ['a', 'b', 'c', 'd'];
    for (let i = 0; i < 50; i++) assert.deepEqual(shuffled(nodes).sort(), ['a', 'b', 'c', 'd']);
    assert.deepEqual(nodes, ['a', 'b', 'c', 'd']);
    assert.deepEqual(shuffled([]), []);
  });

  it('puts each node first about equally often, so instances spread over the cluster', () => {
    const first = new Map<string, number>();
    const runs = 3000;
    for (let i = 0; i < runs; i++) {
      const head = shuffled(['a', 'b', 'c'])[0]!;
      first.set(head, (first.get(head) ?? 0) + 1);
    }
    // 1000 expected each; ±150 is over 5 standard deviations (σ ≈ 26).
    for (const node of ['a', 'b', 'c']) assert.ok(Math.abs((first.get(node) ?? 0) - runs / 3) < 150, `${node} first ${first.get(node)} times`);
  });

  it('follows the random source (Fisher–Yates): draws near 1 keep the order, draws of 0 rotate it', () => {
    assert.deepEqual(shuffled(['a', 'b', 'c'], () => 0.999), ['a', 'b', 'c']);
    assert.deepEqual(shuffled(['a', 'b', 'c'], () => 0), ['b', 'c', 'a']);
  });
});
