import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatBytes, formatChange, formatLatencyUs, formatMs, formatPct, formatRate, formatRatio, formatSeconds, markdownTable, textTable } from './table';

describe('tables', () => {
  it('pads text columns and right-aligns numbers', () => {
    const t = textTable([{ header: 'name' }, { header: 'rate', align: 'right' }], [['fastify', '61,000/s'], ['x', '5/s']]);
    assert.equal(t, ['name         rate', '-------  --------', 'fastify  61,000/s', 'x             5/s'].join('\n'));
  });

  it('writes Markdown with alignment and escaped pipes', () => {
    const t = markdownTable([{ header: 'a' }, { header: 'b', align: 'right' }], [['x|y', '1']]);
    assert.equal(t, '| a | b |\n|---|---:|\n| x\\|y | 1 |');
  });
});

describe('formats', () => {
  it('formats rates, ratios, percentages, bytes and latencies', () => {
    assert.equal(formatRate(61234.6), '61,235/s');
    assert.equal(formatRate(Number.NaN), 'n/a');
    assert.equal(formatRatio(0.834), '0.83×');
    assert.equal(formatRatio(12.34), '12.3×');
    assert.equal(formatPct(4.25), '4.3%');
    assert.equal(formatPct(42.5), '43%');
    assert.equal(formatBytes(17_306), '16.9 KiB');
    assert.equal(formatBytes(3 * 1024 * 1024), '3.0 MiB');
    assert.equal(formatLatencyUs(850), '850 µs');
    assert.equal(formatLatencyUs(2_345), '2.35 ms');
    assert.equal(formatLatencyUs(45_600), '45.6 ms');
    assert.equal(formatLatencyUs(1_200_000), '1.20 s');
  });

  it('formats the sell-out figures: seconds to the millisecond, latencies in ms up to a second, changes against a base', () => {
    assert.equal(formatSeconds(0.3124), '0.312 s');
    assert.equal(formatSeconds(Number.NaN), 'n/a');
    assert.equal(formatMs(4.567), '4.57 ms');
    assert.equal(formatMs(149.96), '150.0 ms');
    assert.equal(formatMs(4_586.1), '4.59 s');
    assert.equal(formatChange(120, 100), '+20%');
    assert.equal(formatChange(80, 100), '−20%');
    assert.equal(formatChange(100.2, 100), '±0%');
    assert.equal(formatChange(1, 0), '');
  });
});
