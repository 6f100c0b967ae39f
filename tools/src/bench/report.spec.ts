import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { measured, type Measured } from './measurement';
import type { MeasurementId } from './options';
import { buildTargets, ceilingsTable, perCore, targetsTable, type BenchReport } from './report';

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
