import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MARKERS, replaceBetween } from './docs';

const { start, end } = MARKERS.table;

describe('replaceBetween', () => {
  it('replaces only the generated block and keeps the hand-written text around it', () => {
    const doc = `# Benchmarks\n\nintro\n\n${start}\nold table\n${end}\n\nnotes\n`;
    const out = replaceBetween(doc, start, end, 'new table\n');
    assert.equal(out, `# Benchmarks\n\nintro\n\n${start}\nnew table\n${end}\n\nnotes\n`);
    assert.equal(replaceBetween(out, start, end, 'new table'), out, 'idempotent');
  });

  it('refuses a document without the markers instead of appending a second copy', () => {
    assert.throws(() => replaceBetween('# no markers', start, end, 'x'), /markers/);
    assert.throws(() => replaceBetween(`${end}\n${start}`, start, end, 'x'), /markers/);
  });
});
