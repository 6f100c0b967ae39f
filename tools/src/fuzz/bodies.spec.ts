import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Ajv from 'ajv';
import fc from 'fast-check';
import { invalidBody, truncate, validBody, validRawBody, withPrototypeKey } from './bodies';
import { routesOf, type JsonSchema } from './openapi';
import { TEST_DOC } from './test-doc';

/** The schemas as order-api applies them: unknown fields refused (forbidNonWhitelisted), numbers whole (IsInt). */
function strict(schema: JsonSchema): object {
  const props = Object.fromEntries(
    Object.entries(schema.properties ?? {}).map(([k, s]) => [k, s.type === 'number' ? { ...s, type: 'integer' } : s]),
  );
  return { type: 'object', properties: props, required: schema.required ?? [], additionalProperties: false };
}

const bodies = routesOf(TEST_DOC).filter((r) => r.body);
const ajv = new Ajv({ strict: false });

describe('body generators', () => {
  for (const route of bodies) {
    const check = ajv.compile(strict(route.body!));

    it(`${route.id}: every valid body satisfies the schema`, () => {
      fc.assert(fc.property(validBody(route.body!), (b) => check(b) || assert.fail(`${JSON.stringify(b)}: ${ajv.errorsText(check.errors)}`)), { numRuns: 300 });
      fc.assert(fc.property(validRawBody(route.body!), (raw) => raw.mutation.includes('plus a') || check(JSON.parse(raw.text.replace(/^\ufeff/, '')))), { numRuns: 200 });
    });

    it(`${route.id}: every mutated body is refused (not JSON, or JSON the schema refuses)`, () => {
      const seen = new Set<string>();
      fc.assert(
        fc.property(invalidBody(route.body!, {}, 1024), (raw) => {
          seen.add(raw.mutation.replace(/:.*/, ''));
          let parsed: unknown;
          try {
            parsed = JSON.parse(raw.text);
          } catch {
            return true;
          }
          return raw.text.length > 1024 || !check(parsed) || assert.fail(`${raw.mutation}: ${raw.text} passes the schema`);
        }),
        { numRuns: 1000 },
      );
      for (const kind of ['wrong type', 'missing', 'extra field', 'not an object', 'truncated JSON', 'invalid JSON', 'empty body', 'beyond the body limit']) {
        assert.ok(seen.has(kind), `${kind} was generated (${[...seen].join(', ')})`);
      }
    });
  }

  it('writes __proto__ as an own key of the parsed body, where JSON.stringify would drop it', () => {
    const text = withPrototypeKey({ delta: 1 }, '__proto__', '{"role":"admin"}');
    assert.equal(text, '{"__proto__":{"role":"admin"},"delta":1}');
    assert.ok(Object.prototype.hasOwnProperty.call(JSON.parse(text), '__proto__'));
    assert.equal(withPrototypeKey({}, 'constructor', 'null'), '{"constructor":null}');
    const route = bodies.find((r) => r.id === 'POST /api/admin/seckill/goods/{id}/stock')!;
    const mutations = new Set(fc.sample(validRawBody(route.body!), { numRuns: 500, seed: 1 }).map((b) => b.mutation));
    assert.ok(mutations.has('valid plus a __proto__ key') && mutations.has('valid plus a constructor key'), [...mutations].join(', '));
  });

  it('truncates JSON to a proper, non-empty prefix', () => {
    const text = JSON.stringify({ a: 1, b: 'x' });
    for (const at of [0, 1, 5, text.length - 1, text.length, text.length + 10]) {
      const t = truncate(text, at);
      assert.ok(t.length >= 1 && t.length < text.length, `${at}: ${t}`);
      assert.throws(() => JSON.parse(t));
    }
  });
});
