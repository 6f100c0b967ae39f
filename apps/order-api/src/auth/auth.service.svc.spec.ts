import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TokenService } from '@seckill/auth';
import { loadConfig } from '@seckill/config';
import { DomainError, ErrorCode } from '@seckill/contracts';
import type { UserRepository } from '@seckill/persistence';
import { asReal, FakeUsers, recordingLogger } from '@seckill/testing';
import { AuthService } from './auth.service';
import { PasswordHasher } from './password-hasher';

/** The real argon2id hasher, at the lowest memory cost the configuration accepts (tests only). */
function world(opts: { adminPassword?: string; users?: FakeUsers } = {}) {
  const config = loadConfig({ PASSWORD_HASH_MEMORY_KIB: '1024', ADMIN_USERNAME: 'root', ADMIN_PASSWORD: opts.adminPassword ?? 'root-secret' });
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
  const service = new AuthService(asReal<UserRepository>(users), hasher, tokens, config, logger);
  return { users, tokens, service, calls, lines };
}

async function code(p: Promise<unknown>): Promise<DomainError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error('it went through');
}

describe('AuthService', () => {
  it('registers a shopper with an argon2id hash (never the password) and logs them in with a token for that account', async () => {
    const w = world();
    const created = await w.service.register('alice', 'correct horse');
    assert.deepEqual(created, { id: 1, username: 'alice' });
    const stored = w.users.users.get('alice')!;
    assert.match(stored.passwordHash, /^\$argon2id\$v=19\$m=1024,t=2,p=1\$/);
    assert.equal(stored.passwordHash.includes('correct horse'), false);
    const issued = await w.service.login('alice', 'correct horse');
    assert.equal(issued.tokenType, 'Bearer');
    assert.deepEqual(w.tokens.verify(issued.accessToken), { id: 1, username: 'alice', role: 'shopper' });
  });

  it('refuses a username that is taken, and keeps the first account\'s password', async () => {
    const w = world();
    await w.service.register('alice', 'first password');
    assert.equal((await code(w.service.register('alice', 'second password'))).code, ErrorCode.USERNAME_TAKEN);
    await w.service.login('alice', 'first password');
    assert.equal((await code(w.service.login('alice', 'second password'))).code, ErrorCode.INVALID_CREDENTIALS);
  });

  it('answers a wrong password and an unknown user the same way, and verifies a hash for the unknown one too', async () => {
    const w = world();
    await w.service.register('alice', 'correct horse');
    const verifiesBefore = w.calls.verify;
    const wrong = await code(w.service.login('alice', 'battery staple'));
    const unknown = await code(w.service.login('mallory', 'battery staple'));
    assert.deepEqual([wrong.code, wrong.message], [unknown.code, unknown.message]);
    assert.equal(unknown.code, ErrorCode.INVALID_CREDENTIALS);
    assert.equal(w.calls.verify - verifiesBefore, 2, 'the unknown user costs a verification like a known one');
    const hashesBefore = w.calls.hash;
    await code(w.service.login('trudy', 'x'));
    assert.equal(w.calls.hash, hashesBefore, 'the stand-in hash is made once per process');
  });

  it('creates the configured admin at start', async () => {
    const w = world();
    await w.service.onApplicationBootstrap();
    const first = w.users.users.get('root')!;
    assert.equal(first.role, 'admin');
    assert.equal(w.tokens.verify((await w.service.login('root', 'root-secret')).accessToken).role, 'admin');
  });

  it('re-applies the configured admin password at every start: the old password stops working', async () => {
    const users = new FakeUsers();
    const dev = world({ adminPassword: 'admin', users });
    await dev.service.onApplicationBootstrap();
    await dev.service.login('root', 'admin');
    const id = users.users.get('root')!.id;
    const prod = world({ adminPassword: 'a-strong-admin-password', users });
    await prod.service.onApplicationBootstrap();
    assert.equal(users.users.get('root')!.id, id, 'the same account, not a second one');
    assert.equal((await code(prod.service.login('root', 'admin'))).code, ErrorCode.INVALID_CREDENTIALS);
    assert.equal(prod.tokens.verify((await prod.service.login('root', 'a-strong-admin-password')).accessToken).role, 'admin');
  });

  it('leaves a shopper who holds the admin name alone, and says so in the log', async () => {
    const w = world();
    await w.service.register('root', 'shopper password');
    await w.service.onApplicationBootstrap();
    assert.equal(w.users.users.get('root')!.role, 'shopper');
    await w.service.login('root', 'shopper password');
    assert.ok(w.lines.some((l) => l.level === 'error' && /ADMIN_USERNAME/.test(l.msg ?? '')));
  });

  it('lets a PostgreSQL fault through (the error filter answers 503), creating nothing', async () => {
    const w = world();
    const fault = new Error('Connection terminated unexpectedly');
    w.users.failNext(fault);
    await assert.rejects(w.service.register('alice', 'correct horse'), fault);
    assert.equal(w.users.users.size, 0);
  });
});
