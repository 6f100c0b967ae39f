import fc from 'fast-check';
import { mainType, type JsonSchema } from './openapi';
import { hostileValue, notANumber, notAString, oddNumber, oddString } from './values';

/** A request body as it goes on the wire, with what was done to it (the report's "mutation" column). */
export interface RawBody {
  text: string;
  mutation: string;
}

/** Known-good values for fields by name (the live sale item's id for `seckillGoodId`, …), used half the time. */
export type FieldHints = Record<string, fc.Arbitrary<unknown>>;

/** A value the schema accepts (hostile where the schema leaves room: odd unicode within the length bounds). */
export function validValue(schema: JsonSchema, hint?: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  const own = ownValidValue(schema);
  const nullable = Array.isArray(schema.type) && schema.type.includes('null');
  const options: fc.Arbitrary<unknown>[] = [own];
  if (hint) options.push(hint, hint);
  if (schema.example !== undefined) options.push(fc.constant(schema.example));
  if (nullable) options.push(fc.constant(null));
  return fc.oneof(...options);
}

function ownValidValue(schema: JsonSchema): fc.Arbitrary<unknown> {
  if (schema.enum) return fc.constantFrom(...schema.enum);
  switch (mainType(schema)) {
    case 'integer':
    case 'number':
      // The server validates numbers with IsInt, whatever the document calls them.
      return fc.integer({ min: Math.ceil(schema.minimum ?? -2147483648), max: Math.floor(schema.maximum ?? 2147483647) });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(validValue(schema.items ?? {}), { maxLength: 3 });
    case 'object':
      return validBody(schema);
    default: {
      if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern));
      const min = schema.minLength ?? 0;
      const max = schema.maxLength ?? 300;
      // Validators disagree on what a string's length is (UTF-16 units, code points): a valid one fits both ways.
      const fits = (s: string) => s.length >= min && s.length <= max && [...s].length >= min && [...s].length <= max;
      return fc.oneof(fc.string({ unit: 'grapheme', minLength: min, maxLength: Math.min(max, 64) }).filter(fits), oddString.filter(fits));
    }
  }
}

/** An object the schema accepts: every required field, some optional ones. */
export function validBody(schema: JsonSchema, hints: FieldHints = {}): fc.Arbitrary<Record<string, unknown>> {
  const props = schema.properties ?? {};
  const model = Object.fromEntries(Object.entries(props).map(([k, s]) => [k, validValue(s, hints[k])]));
  return fc.record(model, { requiredKeys: (schema.required ?? []).filter((k) => k in props) });
}

/** A value of the wrong type for the field's schema, that no coercion could turn into a valid one. */
export function wrongTypeValue(schema: JsonSchema): fc.Arbitrary<unknown> {
  const t = mainType(schema);
  const nullable = Array.isArray(schema.type) && schema.type.includes('null');
  const wrong = t === 'integer' || t === 'number' ? notANumber : t === 'object' ? fc.oneof(fc.constant(null), oddString, fc.array(oddNumber, { maxLength: 2 })) : notAString;
  return nullable ? wrong.filter((v) => v !== null) : wrong;
}

/** Numbers the field's bounds refuse: below the minimum, above the maximum, or fractional for an integer. */
export function outOfRangeValue(schema: JsonSchema): fc.Arbitrary<number> | undefined {
  const options: fc.Arbitrary<number>[] = [];
  if (schema.minimum !== undefined) options.push(oddNumber.filter((n) => n < schema.minimum!), fc.constant(schema.minimum - 1));
  if (schema.maximum !== undefined) options.push(fc.constantFrom(schema.maximum + 1, 1e21, 1e308, Number.MAX_SAFE_INTEGER + 2));
  if (mainType(schema) === 'integer' || mainType(schema) === 'number') options.push(fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Number.isInteger(d)));
  return options.length > 0 ? fc.oneof(...options) : undefined;
}

/** Proper prefixes of a JSON object's text are never valid JSON: an object needs its closing brace. */
export function truncate(text: string, at: number): string {
  return text.slice(0, Math.max(1, Math.min(at, text.length - 1)));
}

const INVALID_JSON = [
  "{'username':'a'}",
  '{username:"a"}',
  '{"a":1,}',
  '{"a":NaN}',
  '{"a":Infinity}',
  '{"a":1}}',
  '{"a":1} x',
  '{"a":"\\x41"}',
  '{"a":"\\u12"}',
  '/* c */{"a":1}',
  '{"a":"line\nbreak"}',
  '{"a":01}',
  '[',
  ']',
  '{',
  'nul',
  'undefined',
  '\u0000',
  '\ud800',
  '{"a":"\ud800"',
] as const;

/**
 * Bodies the schema certainly refuses, each made from a valid one: a field of the wrong type or out of range, a
 * required field missing, an unknown field (order-api forbids them: `forbidNonWhitelisted`, `additionalProperties:
 * false`), a body that is not an object, truncated or invalid JSON, an empty body, one beyond the body limit.
 * (`__proto__` and `constructor` keys are not here: class-transformer drops them, so a body that is otherwise valid
 * may be accepted; they go with the valid bodies, see withPrototypeKey.)
 */
export function invalidBody(schema: JsonSchema, hints: FieldHints = {}, bodyLimit = 16 * 1024): fc.Arbitrary<RawBody> {
  const props = Object.entries(schema.properties ?? {});
  const required = (schema.required ?? []).filter((k) => props.some(([p]) => p === k));
  const base = validBody(schema, hints);
  const json = (mutation: string) => (v: unknown): RawBody => ({ text: JSON.stringify(v), mutation });
  const kinds: fc.Arbitrary<RawBody>[] = [];
  if (props.length > 0) {
    const field = fc.constantFrom(...props);
    kinds.push(
      fc.tuple(base, field).chain(([b, [k, s]]) => wrongTypeValue(s).map((v) => ({ text: JSON.stringify({ ...b, [k]: v }), mutation: `wrong type: ${k}` }))),
    );
    const ranged = props.filter(([, s]) => outOfRangeValue(s) !== undefined);
    if (ranged.length > 0) {
      kinds.push(
        fc.tuple(base, fc.constantFrom(...ranged)).chain(([b, [k, s]]) => outOfRangeValue(s)!.map((v) => ({ text: JSON.stringify({ ...b, [k]: v }), mutation: `out of range: ${k}` }))),
      );
    }
  }
  if (required.length > 0) {
    kinds.push(
      fc.tuple(base, fc.subarray(required, { minLength: 1 })).map(([b, gone]) => ({
        text: JSON.stringify(Object.fromEntries(Object.entries(b).filter(([k]) => !gone.includes(k)))),
        mutation: `missing: ${gone.join(',')}`,
      })),
    );
  }
  const known = new Set(props.map(([k]) => k));
  kinds.push(
    fc.tuple(base, fc.oneof(oddString, fc.constantFrom('extra', 'isAdmin', 'role', 'userId', 'id')).filter((k) => !known.has(k)), hostileValue).map(([b, k, v]) => ({
      text: JSON.stringify({ ...b, [k]: v }),
      mutation: 'extra field',
    })),
    fc.oneof(fc.constant(null), fc.boolean(), oddNumber, oddString, fc.array(hostileValue, { maxLength: 3 }), fc.array(base, { minLength: 1, maxLength: 2 })).map(json('not an object')),
    fc.tuple(base, fc.nat()).map(([b, at]) => ({ text: truncate(JSON.stringify(b), at % Math.max(1, JSON.stringify(b).length)), mutation: 'truncated JSON' })),
    fc.constantFrom(...INVALID_JSON).map((text) => ({ text, mutation: 'invalid JSON' })),
    fc.constantFrom('', ' ', '\n').map((text) => ({ text, mutation: 'empty body' })),
    base.map((b) => ({ text: JSON.stringify({ ...b, padding: 'x'.repeat(bodyLimit + 1) }), mutation: 'beyond the body limit' })),
  );
  return fc.oneof(...kinds);
}

/**
 * The body with a `__proto__` or `constructor` key in front, written by hand (JSON.stringify drops `__proto__` as a
 * key of a literal; in the text it becomes an own key of the parsed object, the prototype-pollution vector).
 */
export function withPrototypeKey(b: Record<string, unknown>, key: '__proto__' | 'constructor', value: string): string {
  const rest = JSON.stringify(b).slice(1);
  return `{"${key}":${value}${rest === '}' ? '}' : `,${rest}`}`;
}

/**
 * A valid body as a lenient-but-valid client (or an attacker) might write it: pretty-printed, key order reversed,
 * BOM-prefixed, or with a `__proto__`/`constructor` key (which must be refused or dropped, never obeyed).
 */
export function validRawBody(schema: JsonSchema, hints: FieldHints = {}): fc.Arbitrary<RawBody> {
  const proto = fc.tuple(validBody(schema, hints), fc.constantFrom('__proto__' as const, 'constructor' as const), fc.constantFrom('{"role":"admin"}', '{"prototype":{"role":"admin"}}', 'null', '[]')).map(([b, k, v]) => ({
    text: withPrototypeKey(b, k, v),
    mutation: `valid plus a ${k} key`,
  }));
  const styled = fc.tuple(validBody(schema, hints), fc.constantFrom('compact', 'pretty', 'reversed', 'BOM')).map(([b, style]) => {
    switch (style) {
      case 'pretty':
        return { text: JSON.stringify(b, null, 2), mutation: 'valid, pretty' };
      case 'reversed':
        return { text: JSON.stringify(Object.fromEntries(Object.entries(b).reverse())), mutation: 'valid, keys reversed' };
      case 'BOM':
        return { text: `\ufeff${JSON.stringify(b)}`, mutation: 'valid, BOM first' };
      case 'compact':
        return { text: JSON.stringify(b), mutation: 'valid' };
    }
  });
  return fc.oneof({ arbitrary: styled, weight: 4 }, { arbitrary: proto, weight: 1 });
}
