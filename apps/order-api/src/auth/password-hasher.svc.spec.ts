import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { loadConfig } from '@seckill/config';
import { DomainError, ErrorCode } from '@seckill/contracts';
import { PasswordHasher } from './password-hasher';

describe('PasswordHasher', () => {
  it('hashes at most PASSWORD_HASH_CONCURRENCY at once with PASSWORD_HASH_QUEUE waiting; beyond that 503 TRY_AGAIN at once', async () => {
    const hasher = new PasswordHasher(loadConfig({ PASSWORD_HASH_MEMORY_KIB: '1024', PASSWORD_HASH_CONCURRENCY: '1', PASSWORD_HASH_QUEUE: '2' }));
    const admitted = [hasher.hash('one'), hasher.hash('two'), hasher.verify('$argon2id$v=19$m=1024,t=2,p=1$c29tZXNhbHQ$aGFzaA', 'x')];
    const started = Date.now();
    const refused = await hasher.hash('four').then(
      () => assert.fail('the fourth hash was taken'),
      (e: unknown) => e,
    );
    assert.ok(refused instanceof DomainError);
    assert.equal(refused.code, ErrorCode.TRY_AGAIN);
    assert.ok(Date.now() - started < 50, 'refused without waiting for a slot');
    const [one, two, bad] = await Promise.all(admitted);
    assert.match(String(one), /^\$argon2id\$/);
    assert.match(String(two), /^\$argon2id\$/);
    assert.equal(bad, false, 'a verification that fails is false, not an error');
    assert.equal(await hasher.verify(String(one), 'one'), true, 'slots are free again');
  });

  it('hashes on threads of the lowest CPU priority (nice 19), the event loop keeping its own', async () => {
    const hasher = new PasswordHasher(loadConfig({ PASSWORD_HASH_MEMORY_KIB: '1024', PASSWORD_HASH_CONCURRENCY: '2' }));
    const niceOf = () =>
      readdirSync('/proc/self/task').map((tid) => Number(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]));
    const before = niceOf().filter((n) => n === 19).length;
    const [a, b] = await Promise.all([hasher.hash('one'), hasher.hash('two')]);
    assert.equal(await hasher.verify(a, 'one'), true);
    assert.equal(await hasher.verify(b, 'one'), false);
    assert.equal(niceOf().filter((n) => n === 19).length - before, 2, 'two more threads at nice 19: this hasher\'s');
    assert.equal(niceOf()[0], 0, 'the main thread stays at 0');
    await hasher.onApplicationShutdown();
    await assert.rejects(hasher.hash('three'), /shut down/);
  });
});
