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

  it('runs the sell-out and scaling measurements by default, sized as the peers\' table and the scaling table', () => {
    const o = parseArgs([]);
    assert.ok(o.only.includes('sell-out') && o.only.includes('scaling'));
    assert.equal(o.selloutShoppers, 20_000);
    assert.equal(o.selloutUnits, 1_000);
    assert.equal(o.selloutConnections, 256);
    assert.equal(o.selloutFloodSec, 10);
    assert.deepEqual(o.scalingItems, [1, 100, 10_000]);
    assert.deepEqual(o.scalingShoppers, [1_000, 10_000, 100_000]);
    assert.equal(o.scalingWindowSec, 3);
  });

  it('reads the sell-out flags and the scaling lists, and keeps --quick small for both', () => {
    const o = parseArgs(['--only', 'sell-out,scaling', '--sellout-shoppers', '5000', '--sellout-units=200', '--sellout-connections', '64', '--scaling-items', '1,10,10', '--scaling-shoppers=2000,20_000']);
    assert.deepEqual(o.only, ['sell-out', 'scaling']);
    assert.equal(o.selloutShoppers, 5_000);
    assert.equal(o.selloutUnits, 200);
    assert.equal(o.selloutConnections, 64);
    assert.deepEqual(o.scalingItems, [1, 10]);
    assert.deepEqual(o.scalingShoppers, [2_000, 20_000]);
    const quick = parseArgs(['--quick']);
    assert.ok(quick.selloutShoppers <= 5_000 && quick.selloutFloodSec <= 2);
    assert.ok(Math.max(...quick.scalingShoppers) <= 10_000 && quick.scalingUnits <= 2_000);
    assert.ok(Math.max(...quick.scalingItems) <= 1_000);
    assert.throws(() => parseArgs(['--scaling-items', '1,x']), /--scaling-items must be a comma-separated list/);
    assert.throws(() => parseArgs(['--scaling-shoppers', '10']), /from 100 to 200000/);
    assert.throws(() => parseArgs(['--sellout-units', '0']), /--sellout-units/);
  });

  it('does not change the defaults object', () => {
    parseArgs(['--rounds', '7']);
    assert.equal(DEFAULTS.rounds, 3);
    parseArgs(['--scaling-items', '5']);
    assert.deepEqual(DEFAULTS.scalingItems, [1, 100, 10_000]);
  });
});
