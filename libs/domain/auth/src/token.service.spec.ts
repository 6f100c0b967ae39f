import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { DomainError } from '@seckill/contracts';
import { TokenService } from './token.service';

const SECRET = 'unit-test-secret-of-some-length';

function unauthorized(fn: () => unknown): void {
  assert.throws(fn, (e: unknown) => e instanceof DomainError && e.code === 'UNAUTHORIZED');
}

describe('TokenService', () => {
  const tokens = new TokenService(SECRET, 60);

  it('verifies what it issued', () => {
    const { accessToken, tokenType, expiresIn } = tokens.issue({ id: 42, username: 'alice', role: 'shopper' });
    assert.deepEqual([tokenType, expiresIn], ['Bearer', 60]);
    assert.deepEqual(tokens.verify(accessToken), { id: 42, username: 'alice', role: 'shopper' });
  });

  it('refuses another secret, garbage, alg none and odd claims', () => {
    const other = new TokenService('another-secret-of-some-length', 60).issue({ id: 1, username: 'x', role: 'admin' }).accessToken;
    unauthorized(() => tokens.verify(other));
    unauthorized(() => tokens.verify('a.b.c'));
    const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    unauthorized(() => tokens.verify(`${enc({ alg: 'none', typ: 'JWT' })}.${enc({ sub: '1', username: 'x', role: 'admin' })}.`));
    const head = enc({ alg: 'HS256', typ: 'JWT' });
    const body = enc({ sub: 'abc', username: 'x', role: 'root', exp: Math.floor(Date.now() / 1000) + 60 });
    const sig = createHmac('sha256', SECRET).update(`${head}.${body}`).digest('base64url');
    unauthorized(() => tokens.verify(`${head}.${body}.${sig}`));
  });

  const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const signWith = (secret: string, head: object, body: object) => {
    const signed = `${enc(head)}.${enc(body)}`;
    return `${signed}.${createHmac('sha256', secret).update(signed).digest('base64url')}`;
  };
  const now = () => Math.floor(Date.now() / 1000);
  const claims = { sub: '7', username: 'bob', role: 'shopper' };

  it('accepts any standard HS256 spelling of the header', () => {
    const token = signWith(SECRET, { typ: 'JWT', alg: 'HS256' }, { ...claims, exp: now() + 60 });
    assert.deepEqual(tokens.verify(token), { id: 7, username: 'bob', role: 'shopper' });
  });

  it('refuses expired, not-yet-valid and never-expiring tokens', () => {
    const head = { alg: 'HS256', typ: 'JWT' };
    unauthorized(() => tokens.verify(signWith(SECRET, head, { ...claims, exp: now() - 1 })));
    unauthorized(() => tokens.verify(signWith(SECRET, head, { ...claims, exp: now() + 60, nbf: now() + 30 })));
    unauthorized(() => tokens.verify(signWith(SECRET, head, claims)));
    unauthorized(() => tokens.verify(signWith(SECRET, head, { ...claims, exp: String(now() + 60) })));
  });

  it('refuses other algorithms even when the HMAC matches', () => {
    unauthorized(() => tokens.verify(signWith(SECRET, { alg: 'HS512', typ: 'JWT' }, { ...claims, exp: now() + 60 })));
  });

  it('refuses a tampered payload, a respelled signature and malformed shapes', () => {
    const good = tokens.issue({ id: 3, username: 'carol', role: 'shopper' }).accessToken;
    const [h, b, sig] = good.split('.') as [string, string, string];
    const promoted = enc({ ...JSON.parse(Buffer.from(b, 'base64url').toString()), role: 'admin' });
    unauthorized(() => tokens.verify(`${h}.${promoted}.${sig}`));
    unauthorized(() => tokens.verify(`${h}.${b}.${sig}=`));
    unauthorized(() => tokens.verify(`${h}.${b}.${sig}!`));
    for (const bad of ['', '.', '..', `${h}.${b}`, `${h}.${b}.`, `.${b}.${sig}`, `${h}..${sig}`, `${h}.${b}.${sig}.${sig}`]) {
      unauthorized(() => tokens.verify(bad));
    }
  });

  it('refuses a signed payload that is not a claims object', () => {
    const signed = `${enc({ alg: 'HS256', typ: 'JWT' })}.${Buffer.from('[1,2]').toString('base64url')}`;
    unauthorized(() => tokens.verify(`${signed}.${createHmac('sha256', SECRET).update(signed).digest('base64url')}`));
  });
});
