import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { encodeSegment, oddPathValue } from './path-values';
import { notANumber, notAString, oddNumber, oddString } from './values';

describe('hostile values', () => {
  it('notANumber is never a number, nor a string a lenient parser turns into a finite one', () => {
    fc.assert(
      fc.property(notANumber, (v) => {
        assert.notEqual(typeof v, 'number');
        if (typeof v === 'string') assert.ok(v.trim() === '' || !Number.isFinite(Number(v)), v);
      }),
      { numRuns: 2000 },
    );
  });

  it('notAString is never a string, number or boolean (nothing a coercion makes a valid string of)', () => {
    fc.assert(fc.property(notAString, (v) => assert.ok(v === null || typeof v === 'object', JSON.stringify(v))), { numRuns: 2000 });
  });

  it('oddString reaches RTL, zero-width, lone surrogates, NUL and lengths far beyond any field', () => {
    const sample = fc.sample(oddString, { numRuns: 4000, seed: 1 });
    const has = (re: RegExp) => sample.some((s) => re.test(s));
    assert.ok(has(/\u202e/), 'RTL override');
    assert.ok(has(/\u200b/), 'zero-width space');
    assert.ok(has(/[\ud800-\udbff](?![\udc00-\udfff])/), 'lone high surrogate');
    assert.ok(has(/\u0000/), 'NUL');
    assert.ok(sample.some((s) => s.length > 1000), 'a long string');
    assert.ok(sample.includes(''), 'the empty string');
  });

  it('oddNumber crosses every boundary: negative, zero, fractional, beyond int32 and the safe integers', () => {
    const sample = fc.sample(oddNumber, { numRuns: 3000, seed: 1 });
    assert.ok(sample.some((n) => n < 0));
    assert.ok(sample.includes(0));
    assert.ok(sample.some((n) => !Number.isInteger(n)));
    assert.ok(sample.some((n) => n > 2147483647));
    assert.ok(sample.some((n) => n > Number.MAX_SAFE_INTEGER));
  });
});

describe('odd path values', () => {
  it('never name the real fixture, however written', () => {
    fc.assert(
      fc.property(oddPathValue('number', ['7']), (v) => {
        assert.notEqual(v.raw, '7');
        assert.notEqual(Number(v.raw.trim()), 7);
      }),
      { numRuns: 3000 },
    );
    fc.assert(fc.property(oddPathValue('string', ['ORD1']), (v) => assert.notEqual(v.raw, 'ORD1')), { numRuns: 2000 });
  });

  it('include the brief\'s ids (-1, 0, 1e309, 99999999999999999999, ../) and raw traversal', () => {
    const raws = new Set(fc.sample(oddPathValue('number', ['1']), { numRuns: 5000, seed: 3 }).map((v) => v.raw));
    for (const id of ['-1', '0', '1e309', '99999999999999999999', '../', '..']) assert.ok(raws.has(id), id);
  });

  it('encode every byte outside the unreserved set, lone surrogates as U+FFFD', () => {
    assert.equal(encodeSegment('a-b_c.d~e'), 'a-b_c.d~e');
    assert.equal(encodeSegment('../x'), '..%2Fx');
    assert.equal(encodeSegment('\u0000 é'), '%00%20%C3%A9');
    assert.equal(encodeSegment('\ud800'), '%EF%BF%BD');
  });
});
