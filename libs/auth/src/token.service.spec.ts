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
});
