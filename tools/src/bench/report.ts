import type { CpuUsage } from './cpu';
import type { Measured } from './measurement';
import type { MeasurementId } from './options';
import type { ProfileReport } from './profile/run';
import { median } from './stats';
import { formatBytes, formatPct, formatRate, formatRatio, markdownTable, textTable, type Column } from './table';
import { evaluate, pairedRatios, smallest, type Ceiling, type TargetRow } from './targets';

/** Builds the target rows and the tables from the measurements. Pure: the runner feeds it, the spec tests it. */

export interface TargetResult extends TargetRow {
  /** measured / ceiling round by round (each round ran both side by side), and their median. */
  roundRatios: number[];
  roundRatioMedian: number;
}

export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  seconds: number;
  machine: Record<string, string | number>;
  options: Record<string, unknown>;
  measurements: Partial<Record<MeasurementId, Measured>>;
  targets: TargetResult[];
  socketBytes?: number;
  profile?: ProfileReport;
}

const CEILING_IDS = ['fastify', 'redis', 'rabbitmq', 'postgres'] as const;

function ceilingOf(m: Measured): Ceiling {
  return { id: m.id, label: m.label, value: m.summary.best };
}

/** Per round, the smallest of several ceilings measured in that round. */
function roundMinimum(ms: readonly Measured[]): number[] {
  const rounds = Math.min(...ms.map((m) => m.samples.length));
  return Array.from({ length: rounds }, (_, r) => Math.min(...ms.map((m) => m.samples[r]!.value)));
}

export function buildTargets(ms: Partial<Record<MeasurementId, Measured>>): TargetResult[] {
  const out: TargetResult[] = [];
  const add = (product: Measured | undefined, ceilings: (Measured | undefined)[], minRatio: number, label: string) => {
    const present = ceilings.filter((c): c is Measured => c !== undefined && Number.isFinite(c.summary.best));
    if (!product || present.length !== ceilings.length || present.length === 0) return;
    const ceiling = smallest(present.map(ceilingOf));
    const row = evaluate({ id: product.id, label, measured: product.summary.best, ceiling, minRatio });
    const roundRatios = pairedRatios(
      product.samples.map((s) => s.value),
      roundMinimum(present),
    );
    out.push({ ...row, roundRatios, roundRatioMedian: roundRatios.length > 0 ? median(roundRatios) : Number.NaN });
  };
  add(ms['sold-out'], [ms.fastify], 0.8, 'sold-out rejections through order-api');
  add(ms.accepted, [ms.fastify, ms.redis, ms.rabbitmq], 0.5, 'accepted orders (reserve + confirmed publish + 202)');
  add(ms['accepted-request-id'], [ms.fastify, ms.redis, ms.rabbitmq], 0.5, 'accepted orders with requestId (shop page)');
  add(ms.worker, [ms.postgres], 10, 'orders persisted by order-worker');
  return out;
}

type Style = 'text' | 'markdown';
const render = (style: Style, columns: Column[], rows: string[][]) => (style === 'markdown' ? markdownTable(columns, rows) : textTable(columns, rows));

const spread = (m: Measured) => (m.summary.n > 1 ? `±${formatPct(m.summary.spreadPct / 2)}` : '');

export function ceilingsTable(report: BenchReport, style: Style): string {
  const rows = CEILING_IDS.flatMap((id) => {
    const m = report.measurements[id];
    if (!m) return [];
    return [[m.label, formatRate(m.summary.best), formatRate(m.summary.median), spread(m), String(m.summary.n)]];
  });
  return render(
    style,
    [{ header: 'ceiling' }, { header: 'best', align: 'right' }, { header: 'median', align: 'right' }, { header: 'spread', align: 'right' }, { header: 'rounds', align: 'right' }],
    rows,
  );
}

export function targetsTable(report: BenchReport, style: Style): string {
  const rows = report.targets.map((t) => {
    const m = report.measurements[t.id as MeasurementId]!;
    return [
      t.label,
      `${formatRate(t.measured)} (median ${formatRate(m.summary.median)})`,
      `${formatRate(t.ceiling.value)} ${t.ceiling.label}`,
      formatRatio(t.ratio),
      formatRatio(t.roundRatioMedian),
      `≥ ${formatRatio(t.minRatio)}`,
      t.met ? 'met' : 'MISSED',
    ];
  });
  if (report.socketBytes !== undefined) {
    const m = report.measurements.sockets!;
    const n = (m.samples[0]?.detail?.sockets as number | undefined) ?? 0;
    rows.push([`${n.toLocaleString('en-US')} idle sockets on one notifier`, `${formatBytes(report.socketBytes)} per socket`, '', '', '', 'report it', 'measured']);
  }
  return render(
    style,
    [
      { header: 'product' },
      { header: 'measured (best)', align: 'right' },
      { header: 'ceiling (best)' },
      { header: 'ratio', align: 'right' },
      { header: 'per-round ratio', align: 'right' },
      { header: 'target', align: 'right' },
      { header: 'result' },
    ],
    rows,
  );
}

/** Cores used per component, averaged over a measurement's rounds ("order-api 0.97 · wrk 0.45 · …"). */
export function cpuLine(m: Measured): string {
  const usages = m.samples.map((s) => s.cpu).filter((c): c is CpuUsage => c !== undefined);
  if (usages.length === 0) return '';
  const names = [...new Set(usages.flatMap((u) => Object.keys(u.cores)))];
  const avg = (f: (u: CpuUsage) => number) => usages.reduce((a, u) => a + f(u), 0) / usages.length;
  const parts = names
    .map((n) => [n, avg((u) => u.cores[n] ?? 0)] as const)
    .filter(([, c]) => c >= 0.01)
    .sort((a, b) => b[1] - a[1])
    .map(([n, c]) => `${n} ${c.toFixed(2)}`);
  return `${parts.join(' · ')} · others ${avg((u) => u.others).toFixed(2)} (machine ${avg((u) => u.machine).toFixed(2)} of ${usages[0]!.machineCores})`;
}

/** The process whose CPU bounds a measurement, where it is one process of ours. */
const MAIN_PROCESS: Partial<Record<MeasurementId, string>> = {
  fastify: 'fastify',
  'sold-out': 'order-api',
  accepted: 'order-api',
  'accepted-request-id': 'order-api',
  worker: 'order-worker',
};

/**
 * Operations per second per core used by the measurement's main process (best round): what the code costs,
 * nearly independent of how much CPU a neighbour left it. Pure.
 */
export function perCore(m: Measured): number {
  const main = MAIN_PROCESS[m.id];
  if (!main) return Number.NaN;
  const values = m.samples.map((s) => (s.cpu && (s.cpu.cores[main] ?? 0) > 0.05 ? s.value / s.cpu.cores[main]! : Number.NaN)).filter(Number.isFinite);
  return values.length > 0 ? Math.max(...values) : Number.NaN;
}

export function cpuTable(report: BenchReport, style: Style): string {
  const rows = Object.values(report.measurements)
    .filter((m): m is Measured => m !== undefined && m.samples.some((s) => s.cpu))
    .map((m) => [m.label, MAIN_PROCESS[m.id] ? `${formatRate(perCore(m))} (${MAIN_PROCESS[m.id]})` : '', cpuLine(m)]);
  return render(
    style,
    [{ header: 'measurement' }, { header: 'per core of', align: 'right' }, { header: 'cores used during the measured window (average of the rounds)' }],
    rows,
  );
}

export function profileTables(profile: ProfileReport, style: Style, top = 12): string {
  return profile.runs
    .map((run) => {
      const head = `${run.label} under --cpu-prof: ${formatRate(run.value)}; ${run.summary.busyMs.toFixed(0)} ms busy of ${run.summary.windowMs.toFixed(0)} ms sampled`;
      const fns = render(
        style,
        [{ header: 'self (busy %)', align: 'right' }, { header: 'function' }, { header: 'where' }, { header: 'mostly called from' }],
        run.summary.functions.slice(0, top).map((f) => [formatPct(f.busyPct), f.name, f.location, f.via ?? '']),
      );
      const inclusive = new Map(run.summary.inclusive.map((c) => [c.name, c.busyPct]));
      const cats = render(
        style,
        [{ header: 'self (busy %)', align: 'right' }, { header: 'inclusive', align: 'right' }, { header: 'package / part' }],
        run.summary.categories.slice(0, top).map((c) => [formatPct(c.busyPct), formatPct(inclusive.get(c.name) ?? Number.NaN), c.name]),
      );
      return style === 'markdown' ? `**${head}**\n\n${fns}\n\n${cats}` : `${head}\n\n${fns}\n\n${cats}`;
    })
    .join('\n\n');
}

/** The table block docs/benchmarks.md keeps between its markers. */
export function docsTableSection(report: BenchReport): string {
  const machine = Object.entries(report.machine)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const methods = Object.values(report.measurements)
    .filter((m): m is Measured => m !== undefined)
    .map((m) => `- **${m.label}**: ${m.method}.`)
    .join('\n');
  return [
    `Run of ${report.startedAt}, ${report.seconds.toFixed(0)} s: ${machine}.`,
    `Options: ${Object.entries(report.options)
      .filter(([k, v]) => v !== undefined && !['help', 'writeDocs', 'report'].includes(k))
      .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`)
      .join(', ')}.`,
    '',
    '#### Ceilings',
    '',
    ceilingsTable(report, 'markdown'),
    '',
    '#### Product against the targets',
    '',
    targetsTable(report, 'markdown'),
    '',
    '"ratio" divides the best rounds; "per-round ratio" is the median of the ratios of product and ceiling measured in the same round.',
    '',
    '#### Where the CPU went',
    '',
    cpuTable(report, 'markdown'),
    '',
    '#### How each figure was measured',
    '',
    methods,
  ].join('\n');
}
