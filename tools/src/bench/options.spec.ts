import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULTS, MEASUREMENTS, parseArgs } from './options';

describe('parseArgs', () => {
  it('defaults to every measurement, three rounds, 50,000 units', () => {
    const o = parseArgs([]);
    assert.deepEqual(o.only, [...MEASUREMENTS]);
    assert.equal(o.rounds, 3);
    assert.equal(o.units, 50_000);
    assert.equal(o.writeDocs, false);
  });

  it('reads flags as "--flag value" and "--flag=value", after an npm "--"', () => {
    const o = parseArgs(['--', '--rounds', '5', '--connections=256', '--write-docs', '--only', 'fastify,sold-out']);
    assert.equal(o.rounds, 5);
    assert.equal(o.connections, 256);
    assert.equal(o.writeDocs, true);
    assert.deepEqual(o.only, ['fastify', 'sold-out']);
  });

  it('--report names a saved result to print instead of measuring', () => {
    assert.equal(parseArgs(['--report', 'artifacts/bench/x.json', '--write-docs']).report, 'artifacts/bench/x.json');
    assert.equal(parseArgs([]).report, undefined);
  });

  it('--quick shrinks the run, and explicit flags still win', () => {
    const o = parseArgs(['--units', '20000', '--quick']);
    assert.equal(o.rounds, 1);
    assert.equal(o.units, 20_000);
    assert.equal(o.sockets, 1_000);
  });

  it('refuses unknown flags, unknown measurements and values out of bounds', () => {
    assert.throws(() => parseArgs(['--bogus', '1']), /unknown flag/);
    assert.throws(() => parseArgs(['--only', 'fastify,nope']), /unknown measurement nope/);
    assert.throws(() => parseArgs(['--sockets', '100000']), /--sockets must be an integer from 100 to 15000/);
    assert.throws(() => parseArgs(['--rounds', '1.5']), /--rounds/);
    assert.throws(() => parseArgs(['--rounds']), /needs a value/);
  });

  it('does not change the defaults object', () => {
    parseArgs(['--rounds', '7']);
    assert.equal(DEFAULTS.rounds, 3);
  });
});
