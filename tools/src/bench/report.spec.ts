import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { measured, type Measured } from './measurement';
import type { MeasurementId } from './options';
import type { ScalingResult } from './product/scaling-plan';
import type { SellOutDetail } from './product/sell-out';
import { buildLimits, buildTargets, ceilingsTable, perCore, scalingTable, sellOutTable, targetsTable, type BenchReport } from './report';

const m = (id: MeasurementId, values: number[]): Measured => measured(id, id, `how ${id}`, values.map((value) => ({ value })));

const measurements: Partial<Record<MeasurementId, Measured>> = {
  fastify: m('fastify', [60_000, 50_000]),
  redis: m('redis', [90_000, 80_000]),
  rabbitmq: m('rabbitmq', [20_000, 25_000]),
  postgres: m('postgres', [1_500, 1_400]),
  'sold-out': m('sold-out', [50_000, 30_000]),
  accepted: m('accepted', [9_000, 11_000]),
  worker: m('worker', [20_000, 14_000]),
};

describe('buildTargets', () => {
  const targets = buildTargets(measurements);
  const byId = new Map(targets.map((t) => [t.id, t]));

  it('judges sold-out rejections against bare Fastify at 0.8', () => {
    const t = byId.get('sold-out')!;
    assert.equal(t.ceiling.id, 'fastify');
    assert.equal(t.ratio, 50_000 / 60_000);
    assert.equal(t.met, true);
    assert.deepEqual(t.roundRatios, [50_000 / 60_000, 30_000 / 50_000]);
  });

  it('judges accepted orders against the smallest ceiling of their path (here RabbitMQ)', () => {
    const t = byId.get('accepted')!;
    assert.equal(t.ceiling.id, 'rabbitmq');
    assert.equal(t.ceiling.value, 25_000);
    assert.equal(t.ratio, 11_000 / 25_000);
    assert.equal(t.met, false);
    // round 1: min(60k, 90k, 20k) = 20k; round 2: min(50k, 80k, 25k) = 25k
    assert.deepEqual(t.roundRatios, [9_000 / 20_000, 11_000 / 25_000]);
  });

  it('judges the worker against ten times the one-order-per-transaction baseline', () => {
    const t = byId.get('worker')!;
    assert.equal(t.ratio, 20_000 / 1_500);
    assert.equal(t.met, true);
  });

  it('leaves out a target whose product or ceiling was not measured', () => {
    assert.equal(byId.has('accepted-request-id'), false);
    const partial = buildTargets({ accepted: measurements.accepted, fastify: measurements.fastify });
    assert.deepEqual(partial, []);
  });
});

describe('tables', () => {
  const report: BenchReport = {
    startedAt: '2026-11-22T00:00:00.000Z',
    finishedAt: '2026-11-22T00:05:00.000Z',
    seconds: 300,
    machine: { cpu: '2 × test' },
    options: {},
    measurements,
    targets: buildTargets(measurements),
  };

  it('lists the ceilings with best, median and spread', () => {
    const t = ceilingsTable(report, 'text');
    assert.match(t, /fastify\s+60,000\/s\s+55,000\/s\s+±9\.1%\s+2/);
  });

  it('prints measured, ceiling, ratio, target and met/missed for every target', () => {
    const t = targetsTable(report, 'markdown');
    assert.match(t, /\| accepted orders \(reserve \+ confirmed publish \+ 202\) \| 11,000\/s \(median 10,000\/s\) \| 25,000\/s rabbitmq \| 0\.44× \| 0\.45× \| ≥ 0\.50× \| MISSED \|/);
    assert.match(t, /\| orders persisted by order-worker \| 20,000\/s .* \| 13\.3× \| .* \| ≥ 10\.0× \| met \|/);
  });
});

describe('perCore', () => {
  const usage = (cores: Record<string, number>) => ({ seconds: 5, cores, machine: 2, others: 0, machineCores: 2 });

  it('divides each round by the cores its main process used and keeps the best', () => {
    const soldOut = measured('sold-out', 'sold-out', 'how', [
      { value: 3000, cpu: usage({ 'order-api': 1.0, wrk: 0.1 }) },
      { value: 2000, cpu: usage({ 'order-api': 0.5 }) },
    ]);
    assert.equal(perCore(soldOut), 4000);
  });

  it('has no figure for measurements without one main process of ours', () => {
    assert.ok(Number.isNaN(perCore(measured('redis', 'redis', 'how', [{ value: 1, cpu: usage({ redis: 1 }) }]))));
  });
});

const latency = (p50: number, p99: number) => ({ min: 100, mean: p50, p50, p90: p99 / 2, p99, max: p99 * 2 });
const sellOutRound = (sellOutSeconds: number, p99Ms: number, requestsPerSec: number): SellOutDetail => ({
  shoppers: 20_000,
  units: 1_000,
  connections: 256,
  sold: 1_000,
  codes: { '202': 1_000, '409': 19_000 },
  wrkRequests: 20_001,
  requestsPerSec,
  saleSeconds: 20_000 / requestsPerSec,
  sellOutSeconds,
  latencyUs: latency(20_000, p99Ms * 1000),
  p99Ms,
  persistedSeconds: sellOutSeconds + 0.4,
  floodSeconds: 10,
  floodPerSec: 6_000,
  floodCodes: { '409': 60_000 },
  floodLatencyUs: latency(10_000, 50_000),
  truncated: false,
});

describe('sell-out', () => {
  const sellOut = measured('sell-out', 'sell-out', 'how', [
    { value: 5_000, detail: { ...sellOutRound(0.62, 140, 5_000) } },
    { value: 6_000, detail: { ...sellOutRound(0.45, 180, 6_000) } },
  ]);
  const ms = { 'sell-out': sellOut };
  const limits = buildLimits(ms);
  const report: BenchReport = { startedAt: 'x', finishedAt: 'y', seconds: 1, machine: {}, options: {}, measurements: ms, targets: [], limits };

  it('holds the best round of the sell-out time to 0.5 s and of the order p99 to 150 ms', () => {
    assert.equal(limits.length, 2);
    assert.equal(limits[0]!.measured, 0.45);
    assert.equal(limits[0]!.met, true);
    assert.equal(limits[1]!.measured, 140);
    assert.equal(limits[1]!.met, true);
    const slow = buildLimits({ 'sell-out': measured('sell-out', 's', 'how', [{ value: 1, detail: { ...sellOutRound(0.7, 200, 1_000) } }]) });
    assert.deepEqual(
      slow.map((l) => l.met),
      [false, false],
    );
    assert.deepEqual(buildLimits({}), []);
  });

  it('prints them among the targets', () => {
    const t = targetsTable(report, 'markdown');
    assert.match(t, /\| sell-out time \(first request → 1,000th unit sold\) \| 0\.450 s \|.*\| ≤ 0\.5 s \| met \|/);
    assert.match(t, /\| order p99 during the sale \| 140\.0 ms \|.*\| ≤ 150 ms \| met \|/);
  });

  it('tables every figure with its best and median round, and the answers of each round', () => {
    const t = sellOutTable(report, 'markdown');
    assert.match(t, /\| requests answered per second during the sale \(20,000 shoppers, 256 connections\) \| 6,000\/s \| 5,500\/s \| 2 \|/);
    assert.match(t, /\| sell-out time: first request → 1,000th unit sold \(last 2xx\) \| 0\.450 s \| 0\.535 s \| 2 \| ≤ 0\.5 s \| met \|/);
    assert.match(t, /\| all 1,000 orders in PostgreSQL, from the first request \| 0\.850 s \|/);
    assert.match(t, /sold-out flood after the sale, 10 s, same shoppers: requests per second \| 6,000\/s/);
    assert.match(t, /round 1: 1,000 of 1,000 sold; answers 202 × 1,000, 409 × 19,000/);
    assert.equal(sellOutTable({ ...report, measurements: {} }, 'text'), '');
  });
});

describe('scalingTable', () => {
  const row = (items: number, shoppers: number, soldOutPerSec: number, acceptedPerSec: number): ScalingResult => ({
    items,
    shoppers,
    units: Math.min(10_000, shoppers),
    firstTouchPerSec: 1_500,
    firstTouchItems: Math.min(items, shoppers),
    soldOutPerSec,
    soldOutCodes: {},
    soldOutP99Ms: 10,
    acceptedPerSec,
    sellOutSeconds: Math.min(10_000, shoppers) / acceptedPerSec,
    sold: Math.min(10_000, shoppers),
    saleCodes: {},
    saleP99Ms: 20,
    orderApiCoresFlood: 1,
    orderApiCoresSale: 0.9,
  });
  const rows = [row(1, 10_000, 5_000, 4_000), row(10_000, 10_000, 4_000, 2_000), row(1, 100_000, 5_000, 4_000)];
  const report: BenchReport = {
    startedAt: 'x',
    finishedAt: 'y',
    seconds: 1,
    machine: {},
    options: {},
    measurements: { scaling: measured('scaling', 'scaling', 'how', [{ value: 5_000, detail: { rows } }]) },
    targets: [],
  };

  it('compares every row with the first', () => {
    const t = scalingTable(report, 'markdown');
    assert.match(t, /\| 1 \| 10,000 \| — \| 5,000\/s \| base \| 10,000 over 1 item \| 4,000\/s \| base \| 2\.500 s \| 1\.00 \/ 0\.90 \|/);
    assert.match(t, /\| 10,000 \| 10,000 \| 1,500\/s \| 4,000\/s \| −20% \| 10,000 over 10,000 items \| 2,000\/s \| −50% \| 5\.000 s \|/);
    assert.match(t, /\| 1 \| 100,000 \| — \| 5,000\/s \| ±0% \|/);
  });

  it('is empty when the scaling measurement did not run', () => {
    assert.equal(scalingTable({ ...report, measurements: {} }, 'text'), '');
  });
});
