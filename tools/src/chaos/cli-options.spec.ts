import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseOptions, UsageError } from './cli-options';

const NAMES = ['rabbitmq-restart', 'redis-restart-empty', 'postgres-stop-10s'];
const parse = (...argv: string[]) => parseOptions(argv, NAMES);

describe('chaos command line', () => {
  it('runs everything by default', () => {
    assert.deepEqual(parse(), { only: [], list: false, writeDocs: false, help: false });
  });

  it('--only takes known names, in the suite order whatever the order given, with or without =', () => {
    assert.deepEqual(parse('--only', 'postgres-stop-10s,rabbitmq-restart').only, ['rabbitmq-restart', 'postgres-stop-10s']);
    assert.deepEqual(parse('--only=redis-restart-empty').only, ['redis-restart-empty']);
  });

  it('refuses unknown or repeated scenarios, and an empty --only', () => {
    assert.throws(() => parse('--only', 'rabbitmq-restart,nope'), (e: unknown) => e instanceof UsageError && /unknown scenario nope/.test(e.message));
    assert.throws(() => parse('--only', 'rabbitmq-restart,rabbitmq-restart'), /twice/);
    assert.throws(() => parse('--only', ','), /at least one/);
    assert.throws(() => parse('--only'), /needs a value/);
    assert.throws(() => parse('--only', '--list'), /needs a value/);
  });

  it('--list, --write-docs, --out', () => {
    assert.equal(parse('--list').list, true);
    assert.equal(parse('--write-docs').writeDocs, true);
    assert.equal(parse('--out', '/tmp/x.json').out, '/tmp/x.json');
    assert.equal(parse('--out=/tmp/y.json').out, '/tmp/y.json');
  });

  it('records docs only for a full run', () => {
    assert.throws(() => parse('--write-docs', '--only', 'rabbitmq-restart'), /full run/);
  });

  it('refuses unknown flags, stray arguments, values on switches and repeated flags', () => {
    assert.throws(() => parse('--fast'), /unknown flag --fast/);
    assert.throws(() => parse('rabbitmq-restart'), /unexpected argument/);
    assert.throws(() => parse('--list=yes'), /takes no value/);
    assert.throws(() => parse('--out', 'a', '--out', 'b'), /given twice/);
  });

  it('answers --help whatever else is on the line', () => {
    assert.equal(parse('--bogus', '--help').help, true);
  });
});
