import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { ODD_CHARS } from './values';

/** The tokens of the fixtures: the route's rightful caller and the ones that must be refused or treated apart. */
export interface Tokens {
  /** Shopper A: owns the fixture order and request the owner routes point at. */
  shopper: string;
  /** Shopper B: a valid shopper, never the owner of those. */
  otherShopper: string;
  admin: string;
  /** The JWT secret, to forge tokens that differ from a valid one in exactly one way. */
  secret: string;
}

const b64 = (o: object | string) => Buffer.from(typeof o === 'string' ? o : JSON.stringify(o)).toString('base64url');

function sign(secret: string, header: object, payload: object, alg: 'sha256' | 'sha512' = 'sha256'): string {
  const head = `${b64(header)}.${b64(payload)}`;
  return `${head}.${createHmac(alg, secret).update(head).digest('base64url')}`;
}

/** The payload of a valid token (to forge variants of its holder). */
export function claimsOf(token: string): Record<string, unknown> {
  const part = token.split('.')[1];
  if (!part) throw new Error('not a JWT');
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** Header values may carry only latin1 on the wire: odd unicode goes as its UTF-8 bytes, as a raw client would send. */
export function wireSafe(s: string): string {
  return Buffer.from(s, 'utf8')
    .toString('latin1')
    .replace(/[^\t\x20-\x7e\x80-\xff]/g, '');
}

/**
 * Authorization headers that must be refused on a route that requires a token: absent, malformed, another scheme,
 * `alg: none`, a wrong secret, expired, tampered claims (a shopper made admin), another algorithm.
 * Each comes with a name for the report; `undefined` means the header is left out.
 */
export function forgedAuthorization(tokens: Tokens): fc.Arbitrary<{ value: string | undefined; mutation: string }> {
  const now = Math.floor(Date.now() / 1000);
  const claims = claimsOf(tokens.shopper);
  const [head, , sig] = tokens.shopper.split('.') as [string, string, string];
  const admin = { ...claims, role: 'admin' };
  const fixed: [string | undefined, string][] = [
    [undefined, 'no Authorization'],
    ['', 'empty Authorization'],
    ['Bearer', 'Bearer without token'],
    ['Bearer ', 'Bearer with empty token'],
    [`bearer ${tokens.shopper}`, 'lower-case scheme'],
    [`Basic ${b64('admin:admin')}`, 'Basic scheme'],
    [tokens.shopper, 'token without scheme'],
    [`Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64(admin)}.`, 'alg none'],
    [`Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64(admin)}`, 'alg none, two parts'],
    [`Bearer ${sign('not-the-secret-at-all', { alg: 'HS256', typ: 'JWT' }, admin)}`, 'wrong secret'],
    [`Bearer ${sign(tokens.secret, { alg: 'HS256', typ: 'JWT' }, { ...claims, iat: now - 7200, exp: now - 3600 })}`, 'expired'],
    [`Bearer ${sign(tokens.secret, { alg: 'HS512', typ: 'JWT' }, claims, 'sha512')}`, 'HS512'],
    [`Bearer ${sign(tokens.secret, { alg: 'RS256', typ: 'JWT' }, claims)}`, 'RS256 header, HMAC signature'],
    [`Bearer ${head}.${b64(admin)}.${sig}`, 'claims tampered (role admin)'],
    [`Bearer ${head}.${b64({ ...claims, sub: `${String(claims.sub)}0` })}.${sig}`, 'claims tampered (sub)'],
    [`Bearer ${tokens.shopper.slice(0, -3)}`, 'signature truncated'],
    [`Bearer ${tokens.shopper}.x`, 'four parts'],
    [`Bearer ${b64('{')}.${b64('{')}.${sig}`, 'header not JSON'],
    [`Bearer ${'A'.repeat(8000)}`, 'huge token'],
  ];
  return fc.oneof(
    fc.constantFrom(...fixed).map(([value, mutation]) => ({ value, mutation })),
    fc.constantFrom(...ODD_CHARS.filter((c) => wireSafe(c).trim() !== '')).map((c) => ({ value: wireSafe(`Bearer ${c}${tokens.shopper}`), mutation: 'odd character before token' })),
    fc.string({ unit: 'binary', maxLength: 60 }).map((s) => ({ value: wireSafe(`Bearer ${s}`), mutation: 'random token' })),
  );
}
