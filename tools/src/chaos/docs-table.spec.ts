import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MARKERS, replaceResults } from './docs-table';

describe('replaceResults', () => {
  it('replaces only what lies between the markers', () => {
    const doc = `# Title\n\nintro\n\n${MARKERS.start}\nold table\nold line\n${MARKERS.end}\n\nafter\n`;
    assert.equal(replaceResults(doc, '| new |\n'), `# Title\n\nintro\n\n${MARKERS.start}\n| new |\n${MARKERS.end}\n\nafter\n`);
  });

  it('is stable: writing the same block twice gives the same document', () => {
    const doc = `a\n${MARKERS.start}\n${MARKERS.end}\nb`;
    const once = replaceResults(doc, 'x');
    assert.equal(replaceResults(once, 'x'), once);
  });

  it('refuses a document without the markers, with them reversed, or with two blocks', () => {
    assert.throws(() => replaceResults('no markers', 'x'), /no <!-- chaos-results:start -->/);
    assert.throws(() => replaceResults(`${MARKERS.end}\n${MARKERS.start}`, 'x'), /no/);
    assert.throws(() => replaceResults(`${MARKERS.start}${MARKERS.end}${MARKERS.start}${MARKERS.end}`, 'x'), /twice/);
  });
});
