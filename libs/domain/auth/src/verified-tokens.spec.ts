import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '@seckill/contracts';
import { TokenService, type VerifiedToken } from './token.service';
import { VerifiedTokens } from './verified-tokens';

const SECRET = 'unit-test-secret-of-some-length';

/** The real TokenService, counting the signatures it checks. */
class CountingTokens extends TokenService {
  checked = 0;
  override verifyToken(token: string): VerifiedToken {
    this.checked++;
    return super.verifyToken(token);
  }
}

function unauthorized(fn: () => unknown): void {
  assert.throws(fn, (e: unknown) => e instanceof DomainError && e.code === 'UNAUTHORIZED');
}

describe('VerifiedTokens', () => {
  it('checks a token\'s signature once, then answers its user from memory', () => {
    const tokens = new CountingTokens(SECRET, 60);
    const cache = new VerifiedTokens(tokens, 10);
    const { accessToken } = tokens.issue({ id: 7, username: 'alice', role: 'shopper' });
    for (let i = 0; i < 5; i++) assert.deepEqual(cache.verify(accessToken), { id: 7, username: 'alice', role: 'shopper' });
    assert.equal(tokens.checked, 1);
  });

  it('refuses a cached token once its exp has passed', () => {
    let now = Date.now();
    const tokens = new CountingTokens(SECRET, 60);
    const cache = new VerifiedTokens(tokens, 10, () => now);
    const { accessToken } = tokens.issue({ id: 7, username: 'alice', role: 'shopper' });
    cache.verify(accessToken);
    now += 61_000;
    unauthorized(() => cache.verify(accessToken));
    assert.equal(cache.size, 0, 'the expired entry is dropped');
  });

  it('never caches a refusal, and a cached signature under other claims is still refused', () => {
    const tokens = new CountingTokens(SECRET, 60);
    const cache = new VerifiedTokens(tokens, 10);
    const { accessToken } = tokens.issue({ id: 7, username: 'alice', role: 'shopper' });
    cache.verify(accessToken);
    const [head, , sig] = accessToken.split('.');
    const admin = Buffer.from(JSON.stringify({ sub: '7', username: 'alice', role: 'admin', exp: Math.floor(Date.now() / 1000) + 60 })).toString('base64url');
    for (let i = 0; i < 3; i++) unauthorized(() => cache.verify(`${head}.${admin}.${sig}`));
    for (let i = 0; i < 3; i++) unauthorized(() => cache.verify('not.a.jwt'));
    assert.equal(cache.size, 1);
    assert.equal(tokens.checked, 7, 'every refused token was checked again');
  });

  it('holds at most its bound, least recently used out, and with 0 checks every time', () => {
    const tokens = new CountingTokens(SECRET, 60);
    const cache = new VerifiedTokens(tokens, 2);
    const [a, b, c] = [1, 2, 3].map((id) => tokens.issue({ id, username: `u${id}`, role: 'shopper' }).accessToken) as [string, string, string];
    cache.verify(a);
    cache.verify(b);
    cache.verify(a);
    cache.verify(c);
    assert.equal(cache.size, 2);
    tokens.checked = 0;
    cache.verify(a);
    assert.equal(tokens.checked, 0, 'a was used recently and kept');
    cache.verify(b);
    assert.equal(tokens.checked, 1, 'b was the least recently used and went');

    const none = new VerifiedTokens(tokens, 0);
    tokens.checked = 0;
    none.verify(a);
    none.verify(a);
    assert.deepEqual([tokens.checked, none.size], [2, 0]);
  });
});
