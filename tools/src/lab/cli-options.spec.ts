import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULTS, parseOptions, UsageError } from './cli-options';

const NAMES = ['rabbit-partition', 'rabbit-kill', 'redis-failover', 'api-cutoff', 'notifier-cutoff'];
const parse = (...argv: string[]) => parseOptions(argv, NAMES);

describe('lab command line', () => {
  it('runs every scenario with the defaults sized for two cores', () => {
    assert.deepEqual(parse(), { ...DEFAULTS, only: [] });
    assert.equal(DEFAULTS.shoppers, 2000);
    assert.equal(DEFAULTS.stock, 300);
  });

  it('--scenario takes known names, in the suite order whatever the order given', () => {
    assert.deepEqual(parse('--scenario', 'notifier-cutoff,rabbit-kill').only, ['rabbit-kill', 'notifier-cutoff']);
    assert.deepEqual(parse('--scenario=redis-failover').only, ['redis-failover']);
  });

  it('refuses unknown or repeated scenarios and an empty list', () => {
    assert.throws(() => parse('--scenario', 'rabbit-kill,nope'), (e: unknown) => e instanceof UsageError && /unknown scenario nope/.test(e.message));
    assert.throws(() => parse('--scenario', 'api-cutoff,api-cutoff'), /twice/);
    assert.throws(() => parse('--scenario', ','), /at least one/);
    assert.throws(() => parse('--scenario'), /needs a value/);
  });

  it('reads the sizes and bounds them', () => {
    const o = parse('--shoppers', '500', '--stock=50', '--ramp-seconds', '20', '--hold-seconds', '5', '--retries', '3', '--timeout-seconds', '120');
    assert.deepEqual([o.shoppers, o.stock, o.rampSeconds, o.holdSeconds, o.retries, o.timeoutSeconds], [500, 50, 20, 5, 3, 120]);
    assert.throws(() => parse('--shoppers', '20001'), /from 10 to 20000/);
    assert.throws(() => parse('--stock', '1.5'), /whole number/);
    assert.throws(() => parse('--retries', '21'), /from 0 to 20/);
  });

  it('refuses a stock the demand does not cover', () => {
    assert.throws(() => parse('--shoppers', '100', '--stock', '200'), /exceeds --shoppers/);
  });

  it('switches take no value', () => {
    assert.equal(parse('--keep').keep, true);
    assert.equal(parse('--list').list, true);
    assert.equal(parse('--down').down, true);
    assert.equal(parse('--write-docs').writeDocs, true);
    assert.throws(() => parse('--keep=yes'), /takes no value/);
  });

  it('--write-docs records full runs only; --down stands alone', () => {
    assert.throws(() => parse('--write-docs', '--scenario', 'rabbit-kill'), /full run/);
    assert.throws(() => parse('--down', '--keep'), /no other flag/);
  });

  it('refuses unknown flags and positional arguments; --help wins', () => {
    assert.throws(() => parse('--nope'), /unknown flag --nope/);
    assert.throws(() => parse('rabbit-kill'), /unexpected argument/);
    assert.equal(parse('--nope', '--help').help, true);
  });
});
