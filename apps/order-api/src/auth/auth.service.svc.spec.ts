import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TokenService } from '@seckill/auth';
import { loadConfig } from '@seckill/config';
import { ErrorCode } from '@seckill/contracts';
import type { UserRepository } from '@seckill/persistence';
import { asReal, FakeUsers, recordingLogger, domainRefusal } from '@seckill/testing';
import { memoryLimiterFactory } from '../limits/limiter-factories';
import { RateLimitedError } from '../limits/rate-limited.error';
import { RequestLimits } from '../limits/request-limits';
import { AuthService } from './auth.service';
import { PasswordHasher } from './password-hasher';

const IP = '203.0.113.7';

/**
 * The real argon2id hasher, at the lowest memory cost the configuration accepts (tests only), and the real request
 * limits with their default rules counted in memory (the fakes' Redis runs no Lua; limits.int.spec covers Redis).
 */
function world(opts: { adminPassword?: string; users?: FakeUsers; overrides?: Record<string, string> } = {}) {
  const config = loadConfig({ PASSWORD_HASH_MEMORY_KIB: '1024', ADMIN_USERNAME: 'root', ADMIN_PASSWORD: opts.adminPassword ?? 'root-secret', ...opts.overrides });
  const users = opts.users ?? new FakeUsers();
  const hasher = new PasswordHasher(config);
  const calls = { hash: 0, verify: 0 };
  const hash = hasher.hash.bind(hasher);
  const verify = hasher.verify.bind(hasher);
  hasher.hash = (password: string) => {
    calls.hash++;
    return hash(password);
  };
  hasher.verify = (stored: string, password: string) => {
    calls.verify++;
    return verify(stored, password);
  };
  const tokens = new TokenService(config.JWT_SECRET, config.JWT_EXPIRES_IN_SECONDS);
  const { logger, lines } = recordingLogger();
  const limits = new RequestLimits(config, memoryLimiterFactory(), logger);
  const service = new AuthService(asReal<UserRepository>(users), hasher, tokens, config, logger, limits);
  return { users, tokens, service, calls, hasher, lines };
}

const code = domainRefusal;

describe('AuthService', () => {
  it('registers a shopper with an argon2id hash (never the password) and logs them in with a token for that account', async () => {
    const w = world();
    const created = await w.service.register('alice', 'correct horse', IP);
    assert.deepEqual(created, { id: 1, username: 'alice' });
    const stored = w.users.users.get('alice')!;
    assert.match(stored.passwordHash, /^\$argon2id\$v=19\$m=1024,t=2,p=1\$/);
    assert.equal(stored.passwordHash.includes('correct horse'), false);
    const issued = await w.service.login('alice', 'correct horse', IP);
    assert.equal(issued.tokenType, 'Bearer');
    assert.deepEqual(w.tokens.verify(issued.accessToken), { id: 1, username: 'alice', role: 'shopper' });
  });

  it('refuses a username that is taken, and keeps the first account\'s password', async () => {
    const w = world();
    await w.service.register('alice', 'first password', IP);
    assert.equal((await code(w.service.register('alice', 'second password', IP))).code, ErrorCode.USERNAME_TAKEN);
    await w.service.login('alice', 'first password', IP);
    assert.equal((await code(w.service.login('alice', 'second password', IP))).code, ErrorCode.INVALID_CREDENTIALS);
  });

  it('answers a wrong password and an unknown user the same way, and verifies a hash for the unknown one too', async () => {
    const w = world();
    await w.service.register('alice', 'correct horse', IP);
    const verifiesBefore = w.calls.verify;
    const wrong = await code(w.service.login('alice', 'battery staple', IP));
    const unknown = await code(w.service.login('mallory', 'battery staple', IP));
    assert.deepEqual([wrong.code, wrong.message], [unknown.code, unknown.message]);
    assert.equal(unknown.code, ErrorCode.INVALID_CREDENTIALS);
    assert.equal(w.calls.verify - verifiesBefore, 2, 'the unknown user costs a verification like a known one');
    const hashesBefore = w.calls.hash;
    await code(w.service.login('trudy', 'x', IP));
    assert.equal(w.calls.hash, hashesBefore, 'the stand-in hash is made once per process');
  });

  it('creates the configured admin at start', async () => {
    const w = world();
    await w.service.onApplicationBootstrap();
    const first = w.users.users.get('root')!;
    assert.equal(first.role, 'admin');
    await w.service.onApplicationBootstrap();
    assert.equal(w.tokens.verify((await w.service.login('root', 'root-secret', IP)).accessToken).role, 'admin');
  });

  it('re-applies the configured admin password at every start: the old password stops working', async () => {
    const users = new FakeUsers();
    const dev = world({ adminPassword: 'admin', users });
    await dev.service.onApplicationBootstrap();
    await dev.service.login('root', 'admin', IP);
    const id = users.users.get('root')!.id;
    const prod = world({ adminPassword: 'a-strong-admin-password', users });
    await prod.service.onApplicationBootstrap();
    assert.equal(users.users.get('root')!.id, id, 'the same account, not a second one');
    assert.equal((await code(prod.service.login('root', 'admin', IP))).code, ErrorCode.INVALID_CREDENTIALS);
    assert.equal(prod.tokens.verify((await prod.service.login('root', 'a-strong-admin-password', IP)).accessToken).role, 'admin');
  });

  it('leaves a shopper who holds the admin name alone, and says so in the log', async () => {
    const w = world();
    await w.service.register('root', 'shopper password', IP);
    await w.service.onApplicationBootstrap();
    assert.equal(w.users.users.get('root')!.role, 'shopper');
    await w.service.login('root', 'shopper password', IP);
    assert.ok(w.lines.some((l) => l.level === 'error' && /ADMIN_USERNAME/.test(l.msg ?? '')));
  });

  it('lets a PostgreSQL fault through (the error filter answers 503), creating nothing', async () => {
    const w = world();
    const fault = new Error('Connection terminated unexpectedly');
    w.users.failNext(fault);
    await assert.rejects(w.service.register('alice', 'correct horse', IP), fault);
    assert.equal(w.users.users.size, 0);
  });

  it('refuses login attempts for one username beyond its limit with 429 and a Retry-After, before hashing anything', async () => {
    const w = world({ overrides: { LOGIN_LIMIT_PER_USERNAME_PER_MINUTE: '3' } });
    await w.service.register('alice', 'correct horse', IP);
    for (let i = 0; i < 3; i++) assert.equal((await code(w.service.login('alice', `guess ${i}`, `198.51.100.${i}`))).code, ErrorCode.INVALID_CREDENTIALS);
    const verifies = w.calls.verify;
    const refused = await code(w.service.login('alice', 'correct horse', '198.51.100.99'));
    assert.ok(refused instanceof RateLimitedError);
    assert.equal(refused.code, ErrorCode.RATE_LIMITED);
    assert.ok(refused.retryAfterSeconds >= 1 && refused.retryAfterSeconds <= 60, `Retry-After ${refused.retryAfterSeconds}`);
    assert.equal(w.calls.verify, verifies, 'a refused attempt costs no argon2 work');
    // Another username from the same addresses is not affected.
    await w.service.register('bob', 'bob password', IP);
    assert.equal((await w.service.login('bob', 'bob password', '198.51.100.0')).tokenType, 'Bearer');
  });

  it('refuses login attempts from one address beyond its limit, whatever the usernames', async () => {
    const w = world({ overrides: { LOGIN_LIMIT_PER_IP_PER_MINUTE: '4' } });
    for (let i = 0; i < 4; i++) assert.equal((await code(w.service.login(`user${i}`, 'x', IP))).code, ErrorCode.INVALID_CREDENTIALS);
    assert.equal((await code(w.service.login('user9', 'x', IP))).code, ErrorCode.RATE_LIMITED);
    assert.equal((await code(w.service.login('user9', 'x', '203.0.113.8'))).code, ErrorCode.INVALID_CREDENTIALS, 'another address');
  });

  it('meets 429 within 60 wrong passwords for one username with the default limits (the contract)', async () => {
    const w = world();
    const answers: string[] = [];
    for (let i = 0; i < 60; i++) answers.push((await code(w.service.login('alice', `guess ${i}`, `198.51.100.${i}`))).code);
    assert.ok(answers.includes(ErrorCode.RATE_LIMITED));
    assert.equal(answers.indexOf(ErrorCode.RATE_LIMITED), 10, 'the 11th attempt of the minute is the first refused');
  });

  it('refuses registrations from one address beyond its limit (default 20 an hour), creating no account', async () => {
    const w = world();
    for (let i = 0; i < 20; i++) await w.service.register(`shopper${i}`, 'a password', IP);
    const refused = await code(w.service.register('shopper20', 'a password', IP));
    assert.equal(refused.code, ErrorCode.RATE_LIMITED);
    assert.ok(refused instanceof RateLimitedError && refused.retryAfterSeconds > 60, 'the window is an hour');
    assert.equal(w.users.users.has('shopper20'), false);
    assert.deepEqual(await w.service.register('shopper20', 'a password', '203.0.113.8'), { id: 21, username: 'shopper20' });
  });

  it('lifts every limit with RATE_LIMITS=off', async () => {
    const w = world({ overrides: { RATE_LIMITS: 'off', LOGIN_LIMIT_PER_USERNAME_PER_MINUTE: '1', LOGIN_LIMIT_PER_IP_PER_MINUTE: '1', REGISTER_LIMIT_PER_IP_PER_HOUR: '1' } });
    for (let i = 0; i < 3; i++) await w.service.register(`shopper${i}`, 'a password', IP);
    for (let i = 0; i < 3; i++) assert.equal((await code(w.service.login('shopper0', 'wrong', IP))).code, ErrorCode.INVALID_CREDENTIALS);
  });

  it('answers 503 TRY_AGAIN at once while the hashing queue is full, before asking the database', async () => {
    const w = world({ overrides: { RATE_LIMITS: 'off', PASSWORD_HASH_CONCURRENCY: '1', PASSWORD_HASH_QUEUE: '0' } });
    let lookups = 0;
    const find = w.users.findByUsername.bind(w.users);
    w.users.findByUsername = (username: string) => {
      lookups++;
      return find(username);
    };
    // The one slot is taken (tryRun counts it at once) by a hash still running.
    const inFlight = w.hasher.hash('another shopper signing up');
    assert.equal((await code(w.service.login('mallory', 'x', IP))).code, ErrorCode.TRY_AGAIN);
    assert.equal((await code(w.service.register('bob', 'a password', IP))).code, ErrorCode.TRY_AGAIN);
    assert.equal(lookups, 0);
    assert.equal(w.users.users.size, 0);
    assert.match(await inFlight, /^\$argon2id\$/);
    assert.deepEqual(await w.service.register('bob', 'a password', IP), { id: 1, username: 'bob' }, 'room again once it is done');
  });
});
