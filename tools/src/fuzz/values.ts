import fc from 'fast-check';

/**
 * Hostile values: the raw material every mutation is made of. Each arbitrary is a fast-check one, so a failing
 * request shrinks towards the smallest value that still fails.
 */

/** Characters that break naive string handling: direction overrides, zero-width, lone surrogates, NUL, BOM. */
export const ODD_CHARS = [
  '\u202e', // RIGHT-TO-LEFT OVERRIDE
  '\u200f', // RIGHT-TO-LEFT MARK
  '\u200b', // ZERO WIDTH SPACE
  '\u200d', // ZERO WIDTH JOINER
  '\ufeff', // BOM
  '\ud800', // lone high surrogate
  '\udfff', // lone low surrogate
  '\u0000', // NUL
  '\u0085', // NEXT LINE
  '\u2028', // LINE SEPARATOR
  'é', // combining-prone Latin
  'e\u0301', // e + COMBINING ACUTE
  '𝕏', // astral (surrogate pair)
  '👩‍👩‍👧', // ZWJ emoji sequence
  'ﷺ', // one code point, very wide
  ' א', // Hebrew
  '\\',
  '"',
  "'",
  '%',
  '%00',
  '${x}',
  '{{7*7}}',
  '<script>',
  "' OR 1=1 --",
] as const;

/** Strings of odd characters, from empty to far beyond any field's limit. */
export const oddString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...ODD_CHARS),
  fc.array(fc.constantFrom(...ODD_CHARS), { minLength: 1, maxLength: 12 }).map((parts) => parts.join('')),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.tuple(fc.constantFrom('a', '\u202e', '𝕏', '\u0000'), fc.integer({ min: 129, max: 4000 })).map(([c, n]) => c.repeat(n)),
  fc.constantFrom('', ' ', '\t', '\n'),
);

/** Strings that some parser might read as a number (or as one that is not finite). */
export const numberLikeString: fc.Arbitrary<string> = fc.constantFrom(
  'NaN',
  '-NaN',
  'Infinity',
  '-Infinity',
  '1e309',
  '-1e309',
  '0x10',
  '0b1',
  '1_000',
  '١٢٣', // Arabic-Indic digits
  '１２３', // full-width digits
  '99999999999999999999',
  '9007199254740993',
  '-0',
  '+1',
  ' 1',
  '1 ',
  '1.5',
  '1e3',
  'null',
  'undefined',
  'true',
);

/** Numbers at and beyond every boundary: negative, zero, fractional, past int32/int64/safe integers. */
export const oddNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(-1, 0, -0, 0.5, 1.5, -2147483649, 2147483648, 4294967296, Number.MAX_SAFE_INTEGER + 2, -Number.MAX_SAFE_INTEGER - 2, 1e21, 1e308, -1e308, Number.MIN_VALUE),
  fc.integer({ min: -2147483648, max: 0 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Number.isInteger(d)),
);

/** Any JSON value a hostile client might put where something else was expected. */
export const hostileValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    oddNumber,
    oddString,
    numberLikeString,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(oddString, fc.constantFrom('__proto__', 'constructor', 'prototype')), tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** Values that are certainly not a string, whatever a lenient server coerces: null, arrays, objects. */
export const notAString: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.array(fc.oneof(oddString, oddNumber), { maxLength: 3 }),
  fc.dictionary(oddString, fc.oneof(oddString, oddNumber), { maxKeys: 3 }),
);

/** Values that are certainly not a number: non-numeric strings, null, arrays, objects. */
export const notANumber: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.constantFrom('NaN', 'Infinity', '1e309', 'abc', '', '١٢٣'),
  oddString.filter((s) => s.trim() === '' || Number.isNaN(Number(s))),
  fc.array(oddNumber, { maxLength: 3 }),
  fc.dictionary(oddString, oddNumber, { maxKeys: 3 }),
);
