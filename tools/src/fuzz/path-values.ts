import fc from 'fast-check';
import type { ParamType } from './openapi';
import { ODD_CHARS, oddString } from './values';

/** A path parameter's value as it goes on the wire (already encoded, or deliberately raw). */
export interface PathValue {
  wire: string;
  /** The value before encoding, for the report. */
  raw: string;
}

/** Percent-encodes every byte outside RFC 3986's unreserved set; lone surrogates go as U+FFFD, as UTF-8 encoders do. */
export function encodeSegment(s: string): string {
  return [...Buffer.from(s, 'utf8')]
    .map((b) => (/[A-Za-z0-9\-._~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');
}

/** Raw segments that test the router and the URL decoder themselves (sent unencoded, on purpose). */
const RAW_SEGMENTS = ['..', '.', '%2e%2e', '..%2f..%2fhealth', '%ZZ', '%', '%00', '%c0%ae%c0%ae', '%ff', ';x', '*'] as const;

const NUMERIC_ODD = ['-1', '0', '-0', '1.5', '1e309', '-1e309', '99999999999999999999', '2147483648', '9007199254740993', 'NaN', 'Infinity', '0x10', '1e3', '+1', ' 1', 'null', 'undefined', '[]', '{}', 'true'] as const;

/**
 * Values of a path parameter that name nothing that exists: odd numbers for numeric ids, odd unicode, traversal,
 * broken percent-encoding. `real` are the fixtures' values: they are never produced (nor a string that reads as one),
 * so a request using these must be refused.
 */
export function oddPathValue(type: ParamType, real: readonly string[]): fc.Arbitrary<PathValue> {
  const realNumbers = new Set(real.map(Number).filter((n) => Number.isFinite(n)));
  const names = (s: string) => !real.includes(s) && !realNumbers.has(Number(s.trim())) && s !== '';
  const encoded = (arb: fc.Arbitrary<string>) => arb.filter(names).map((raw) => ({ wire: encodeSegment(raw), raw }));
  const options: fc.Arbitrary<PathValue>[] = [
    encoded(oddString),
    encoded(fc.constantFrom(...ODD_CHARS, '../', '../../health', '..\\..\\', 'a/b', '?x=1', '#frag')),
    fc.constantFrom(...RAW_SEGMENTS).map((raw) => ({ wire: raw, raw })),
    encoded(fc.constantFrom(...NUMERIC_ODD)),
    encoded(fc.integer({ min: -2147483648, max: 0 }).map(String)),
    encoded(fc.bigInt({ min: 2n ** 31n, max: 10n ** 30n }).map(String)),
  ];
  if (type === 'string') options.push(encoded(fc.uuid().map(String)), encoded(fc.stringMatching(/^[0-9A-Z]{1,40}$/)));
  return fc.oneof(...options);
}
