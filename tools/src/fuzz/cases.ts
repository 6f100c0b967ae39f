import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { claimsOf, forgedAuthorization, wireSafe, type Tokens } from './auth-headers';
import { invalidBody, validRawBody, type FieldHints, type RawBody } from './bodies';
import { fillPath, type Route } from './openapi';
import { encodeSegment, oddPathValue, type PathValue } from './path-values';
import { ODD_CHARS, oddString } from './values';

/**
 * A family is one way of mutating a route's valid request. The first four make requests that must be refused
 * (phase "refused": a 2xx is a finding, and the database and Redis must come out unchanged); the others may be
 * accepted (phase "lenient": only 5xx and malformed error bodies are findings).
 */
export type Family = 'auth' | 'body' | 'path' | 'content-type' | 'valid' | 'query' | 'headers';
export const REFUSED_FAMILIES: readonly Family[] = ['auth', 'body', 'path', 'content-type'];
export const LENIENT_FAMILIES: readonly Family[] = ['valid', 'query', 'headers'];

export interface FuzzCase {
  route: string;
  family: Family;
  method: string;
  /** Path and query as sent (already encoded). */
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** What was mutated, for the report. */
  mutation: string;
  /** Must not be accepted: a 2xx is a finding. */
  mustRefuse: boolean;
}

/** What the fixtures provide: tokens, the real value of each path parameter, known-good body fields. */
export interface Targets {
  tokens: Tokens;
  /** Path parameter name -> a value naming a real fixture (the live sale item, shopper A's order, …). */
  pathValues: Record<string, string>;
  /** Per-route overrides of pathValues (cancel gets an order of its own: pay's is paid before cancel is fuzzed). */
  routePathValues?: Record<string, Record<string, string>>;
  hints: FieldHints;
  bodyLimit: number;
}

/** Path parameters that name something one shopper owns: another shopper's token must be refused there. */
const OWNED_PARAMS = new Set(['uuid', 'orderNo']);

/** The families that apply to a route (a route without a body has no body mutations, …). */
export function familiesOf(route: Route): Family[] {
  const out: Family[] = [];
  if (route.secured) out.push('auth');
  if (route.body) out.push('body', 'content-type');
  if (route.pathParams.length > 0) out.push('path');
  return [...out, ...LENIENT_FAMILIES];
}

/** The token a route's rightful caller holds. */
export function rightfulToken(route: Route, tokens: Tokens): string | undefined {
  if (!route.secured) return undefined;
  return route.path.startsWith('/api/admin') ? tokens.admin : tokens.shopper;
}

function realPath(route: Route, t: Targets): string {
  return fillPath(route.path, Object.fromEntries(route.pathParams.map((p) => [p.name, encodeSegment(realValue(t, route, p.name))])));
}

function realValue(t: Targets, route: Route, name: string): string {
  const v = t.routePathValues?.[route.id]?.[name] ?? t.pathValues[name];
  if (v === undefined) throw new Error(`the fixtures provide no value for path parameter ${name}`);
  return v;
}

/** Every real value a parameter of this name has anywhere: an odd value must name none of them. */
function allRealValues(t: Targets, name: string): string[] {
  return [t.pathValues[name], ...Object.values(t.routePathValues ?? {}).map((v) => v[name])].filter((v): v is string => v !== undefined);
}

function baseHeaders(route: Route, t: Targets): Record<string, string> {
  const token = rightfulToken(route, t.tokens);
  return {
    ...(token ? { authorization: `Bearer ${token}` } : {}),
    ...(route.body ? { 'content-type': 'application/json' } : {}),
  };
}

function validBodyOf(route: Route, t: Targets): fc.Arbitrary<RawBody | undefined> {
  return route.body ? validRawBody(route.body, t.hints) : fc.constant(undefined);
}

function without(headers: Record<string, string>, name: string): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => k !== name));
}

function make(route: Route, family: Family, path: string, headers: Record<string, string>, body: RawBody | undefined, mutation: string, mustRefuse: boolean): FuzzCase {
  return { route: route.id, family, method: route.method, path, headers, ...(body !== undefined ? { body: body.text } : {}), mutation, mustRefuse };
}

/** Content types order-api has no parser for (or one that cannot yield an object): a JSON body under them must be refused. */
const WRONG_CONTENT_TYPES = [
  undefined,
  '',
  'text/plain',
  'text/html',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/octet-stream',
  'application/jsonx',
  'json',
  'application',
  '*/*',
] as const;

/** Content types a lenient JSON client might send for a JSON body (may be accepted or refused, never a 5xx). */
const LENIENT_CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'application/json;charset=UTF-8', 'APPLICATION/JSON', 'application/json; charset=latin1', 'application/json; charset=utf-16', 'application/json; x=y; x=z', 'application/vnd.api+json'] as const;

const ODD_QUERIES = ['?', '?&&&', '?=', '?a=1&a=2&a=3', '?__proto__[role]=admin', '?constructor[prototype][role]=admin', '?a[b][c][d]=1', '?%ZZ', '?%00=%00', '?page=-1&limit=99999999999999999999', '?limit=1e309', '?id[]=1&id[]=2'] as const;

function oddQuery(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(...ODD_QUERIES),
    fc.tuple(oddString, oddString).map(([k, v]) => `?${encodeSegment(k)}=${encodeSegment(v)}`),
    fc.integer({ min: 100, max: 2000 }).map((n) => `?q=${'a'.repeat(n)}`),
  );
}

/** A token order-api's secret signed for claims nobody registered: a valid signature, an odd holder. */
function signedFor(secret: string, claims: Record<string, unknown>): string {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

function lenientAuthorization(t: Targets): fc.Arbitrary<{ value: string | undefined; mutation: string }> {
  const now = Math.floor(Date.now() / 1000);
  const base = claimsOf(t.tokens.shopper);
  const valid = { iat: now, exp: now + 3600 };
  const signed = (claims: Record<string, unknown>, mutation: string) => ({ value: `Bearer ${signedFor(t.tokens.secret, claims)}`, mutation });
  return fc.constantFrom(
    { value: `Bearer ${t.tokens.shopper}`, mutation: 'shopper A' },
    { value: `Bearer ${t.tokens.otherShopper}`, mutation: 'shopper B' },
    { value: `Bearer ${t.tokens.admin}`, mutation: 'admin' },
    { value: `Bearer   ${t.tokens.shopper}  `, mutation: 'token padded with spaces' },
    signed({ sub: '2147483647', username: 'ghost', role: 'shopper', ...valid }, 'signed, user that does not exist'),
    signed({ sub: '99999999999999999999', username: 'ghost', role: 'shopper', ...valid }, 'signed, sub beyond bigint'),
    signed({ sub: '-1', username: 'ghost', role: 'shopper', ...valid }, 'signed, negative sub'),
    signed({ sub: 'abc', username: 'ghost', role: 'shopper', ...valid }, 'signed, sub not a number'),
    signed({ sub: base.sub, username: base.username, role: 'superuser', ...valid }, 'signed, unknown role'),
    signed({ ...base, ...valid, extra: { __proto__: null, nested: [1, 2] } }, 'signed, extra claims'),
    signed({ username: 'ghost', role: 'shopper', ...valid }, 'signed, no sub'),
    signed({ sub: base.sub, role: 'shopper', ...valid }, 'signed, no username'),
    signed({ sub: base.sub, username: base.username, role: 'shopper', iat: now }, 'signed, no exp'),
    { value: undefined, mutation: 'no Authorization' },
  );
}

/** Extra headers that have nothing to do with the route: spoofed client addresses, odd accepts, odd bytes. */
function oddExtraHeaders(): fc.Arbitrary<Record<string, string>> {
  return fc.record(
    {
      'x-forwarded-for': fc.constantFrom('1.2.3.4', '::1, 10.0.0.1, 127.0.0.1', 'garbage', '999.999.999.999', ''),
      'x-real-ip': fc.constantFrom('127.0.0.1', '::ffff:1.2.3.4', 'x'),
      accept: fc.constantFrom('*/*', 'text/html', 'application/xml', 'image/png;q=0', ''),
      'accept-encoding': fc.constantFrom('gzip', 'br', 'identity;q=0', 'x-unknown'),
      'x-request-id': oddString.map(wireSafe),
      origin: fc.constantFrom('null', 'https://evil.example', 'http://127.0.0.1'),
      'x-odd': fc.constantFrom(...ODD_CHARS).map(wireSafe),
    },
    { requiredKeys: [] },
  );
}

/** The requests of one family on one route, as a fast-check arbitrary (shrinks to the smallest failing one). */
export function caseArbitrary(route: Route, family: Family, t: Targets): fc.Arbitrary<FuzzCase> {
  const path = realPath(route, t);
  const headers = baseHeaders(route, t);
  switch (family) {
    case 'auth': {
      const owned = route.pathParams.some((p) => OWNED_PARAMS.has(p.name));
      const refusedTokens: fc.Arbitrary<{ value: string | undefined; mutation: string }>[] = [forgedAuthorization(t.tokens)];
      if (route.path.startsWith('/api/admin')) refusedTokens.push(fc.constant({ value: `Bearer ${t.tokens.shopper}`, mutation: 'shopper token on an admin route' }));
      if (owned) refusedTokens.push(fc.constant({ value: `Bearer ${t.tokens.otherShopper}`, mutation: "shopper B on shopper A's resource" }));
      return fc.tuple(fc.oneof(...refusedTokens), validBodyOf(route, t)).map(([auth, body]) => {
        const rest = without(headers, 'authorization');
        return make(route, family, path, auth.value === undefined ? rest : { ...rest, authorization: auth.value }, body, auth.mutation, true);
      });
    }
    case 'body':
      return invalidBody(route.body!, t.hints, t.bodyLimit).map((body) => make(route, family, path, headers, body, body.mutation, true));
    case 'content-type':
      return fc.tuple(fc.constantFrom(...WRONG_CONTENT_TYPES), validBodyOf(route, t)).map(([ct, body]) => {
        const rest = without(headers, 'content-type');
        return make(route, family, path, ct === undefined ? rest : { ...rest, 'content-type': ct }, body, `content-type ${ct === undefined ? 'absent' : JSON.stringify(ct)}`, true);
      });
    case 'path': {
      const params = route.pathParams;
      const perParam = params.map((p) => fc.option(oddPathValue(p.type, allRealValues(t, p.name)), { nil: undefined, freq: 3 }));
      return fc
        .tuple(fc.tuple(...perParam), validBodyOf(route, t))
        .filter(([values]) => values.some((v) => v !== undefined))
        .map(([values, body]) => {
          const wire = Object.fromEntries(params.map((p, i) => [p.name, (values[i] as PathValue | undefined)?.wire ?? encodeSegment(realValue(t, route, p.name))]));
          const odd = params.flatMap((p, i) => {
            const v = values[i] as PathValue | undefined;
            return v === undefined ? [] : [`${p.name}=${JSON.stringify(v.raw)}`];
          });
          return make(route, family, fillPath(route.path, wire), headers, body, `path ${odd.join(' ')}`, true);
        });
    }
    case 'valid':
      return fc.tuple(validBodyOf(route, t), route.body ? fc.constantFrom(...LENIENT_CONTENT_TYPES) : fc.constant(undefined)).map(([body, ct]) =>
        make(route, family, path, ct ? { ...headers, 'content-type': ct } : headers, body, `${body?.mutation ?? 'no body'}${ct ? `, ${ct}` : ''}`, false),
      );
    case 'query':
      return fc.tuple(oddQuery(), validBodyOf(route, t)).map(([q, body]) => make(route, family, `${path}${q}`, headers, body, `query ${q.slice(0, 60)}`, false));
    case 'headers':
      return fc
        .tuple(route.secured ? lenientAuthorization(t) : fc.constant({ value: undefined, mutation: 'no Authorization' }), oddExtraHeaders(), validBodyOf(route, t))
        .map(([auth, extra, body]) => {
          const rest = without(headers, 'authorization');
          const h = { ...rest, ...extra, ...(auth.value !== undefined ? { authorization: auth.value } : {}) };
          return make(route, family, path, h, body, `${auth.mutation}; extra headers ${Object.keys(extra).join(',') || 'none'}`, false);
        });
  }
}
