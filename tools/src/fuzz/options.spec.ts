import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_RUNS, parseOptions, UsageError } from './options';

describe('npm run fuzz options', () => {
  it('defaults to 10,000 requests on an isolated product with a random seed', () => {
    const o = parseOptions([]);
    assert.equal(o.runs, DEFAULT_RUNS);
    assert.equal(DEFAULT_RUNS, 10_000);
    assert.equal(o.target, undefined);
    assert.ok(Number.isInteger(o.seed) && o.seed >= 0);
  });

  it('reads --runs, --seed, --route, --out and --json in both spellings', () => {
    const o = parseOptions(['--runs', '1500', '--seed=42', '--route', 'orders', '--out', '/tmp/x.json', '--json']);
    assert.deepEqual([o.runs, o.seed, o.route, o.out, o.json], [1500, 42, 'orders', '/tmp/x.json', true]);
  });

  it('takes a loopback --target with its state location and the secret from the environment', () => {
    const o = parseOptions(['--target', 'http://127.0.0.1:3000/', '--database-url', 'postgres://x@127.0.0.1/db', '--redis-prefix', 'p:'], { JWT_SECRET: 's'.repeat(32) });
    assert.equal(o.target, 'http://127.0.0.1:3000');
    assert.equal(o.databaseUrl, 'postgres://x@127.0.0.1/db');
    assert.equal(o.redisKeyPrefix, 'p:');
    assert.equal(o.jwtSecret, 's'.repeat(32));
  });

  it('refuses bad flags', () => {
    for (const argv of [
      ['--runs', '0'],
      ['--runs', '1e3'],
      ['--runs'],
      ['--seed', '-1'],
      ['--target', 'http://192.0.2.1:3000'],
      ['--target', 'nope'],
      ['--database-url', 'postgres://x@127.0.0.1/db'],
      ['--json=yes'],
      ['--runs', '5', '--runs', '6'],
      ['--frobnicate'],
      ['stray'],
    ]) {
      assert.throws(() => parseOptions(argv), UsageError, argv.join(' '));
    }
  });

  it('answers --help before anything else', () => {
    assert.equal(parseOptions(['--runs', 'x', '--help']).help, true);
  });
});
