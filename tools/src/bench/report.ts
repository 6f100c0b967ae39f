import type { CpuUsage } from './cpu';
import type { Measured } from './measurement';
import type { MeasurementId } from './options';
import type { ProfileReport } from './profile/run';
import type { ScalingResult } from './product/scaling-plan';
import type { SellOutDetail } from './product/sell-out';
import { median, summarise } from './stats';
import { formatBytes, formatChange, formatCount, formatMs, formatPct, formatRate, formatRatio, formatSeconds, markdownTable, textTable, type Column } from './table';
import { describeLimit, evaluate, evaluateLimit, pairedRatios, SELL_OUT_LIMITS, smallest, type Ceiling, type LimitRow, type TargetRow } from './targets';

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
  /** Targets that bound a figure itself (the sell-out run's); absent in reports saved before they existed. */
  limits?: LimitRow[];
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
  // No target of its own: an accepted order's (0.5), which does a reservation and a confirmed publish more.
  add(ms['room-join'], [ms.fastify], 0.5, 'waiting-room joins through order-api');
  add(ms.accepted, [ms.fastify, ms.redis, ms.rabbitmq], 0.5, 'accepted orders (reserve + confirmed publish + 202)');
  add(ms['accepted-request-id'], [ms.fastify, ms.redis, ms.rabbitmq], 0.5, 'accepted orders with requestId (shop page)');
  add(ms.worker, [ms.postgres], 10, 'orders persisted by order-worker');
  return out;
}

/** The sell-out rounds' details (empty when it did not run). */
export function sellOutRounds(ms: Partial<Record<MeasurementId, Measured>>): SellOutDetail[] {
  return (ms['sell-out']?.samples ?? []).map((s) => s.detail as unknown as SellOutDetail).filter((d) => d !== undefined);
}

/** The sell-out run against its bounds: sell-out time and order p99, best round of each. */
export function buildLimits(ms: Partial<Record<MeasurementId, Measured>>): LimitRow[] {
  const rounds = sellOutRounds(ms);
  if (rounds.length === 0) return [];
  const units = rounds[0]!.units.toLocaleString('en-US');
  const best = (f: (d: SellOutDetail) => number) => summarise(rounds.map(f), 'lower').best;
  return [
    evaluateLimit({ id: 'sell-out', label: `${SELL_OUT_LIMITS.sellOutSeconds.label} (first request → ${units}th unit sold)`, measured: best((d) => d.sellOutSeconds), limit: SELL_OUT_LIMITS.sellOutSeconds.limit, unit: SELL_OUT_LIMITS.sellOutSeconds.unit }),
    evaluateLimit({ id: 'sell-out', label: SELL_OUT_LIMITS.p99Ms.label, measured: best((d) => d.p99Ms), limit: SELL_OUT_LIMITS.p99Ms.limit, unit: SELL_OUT_LIMITS.p99Ms.unit }),
  ];
}

const formatIn = (unit: LimitRow['unit'], n: number) => (unit === 's' ? formatSeconds(n) : unit === 'ms' ? formatMs(n) : formatRate(n));

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
  for (const l of report.limits ?? []) rows.push([l.label, formatIn(l.unit, l.measured), '', '', '', describeLimit(l), l.met ? 'met' : 'MISSED']);
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
  'room-join': 'order-api',
  accepted: 'order-api',
  'accepted-request-id': 'order-api',
  worker: 'order-worker',
  'sell-out': 'order-api',
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

/**
 * The sell-out run: each figure's best and median round, and the bounds it is held to. Empty when it did not
 * run. Pure.
 */
export function sellOutTable(report: BenchReport, style: Style): string {
  const rounds = sellOutRounds(report.measurements);
  if (rounds.length === 0) return '';
  const first = rounds[0]!;
  const limitFor = (label: string) => (report.limits ?? []).find((l) => l.label.startsWith(label));
  const row = (label: string, f: (d: SellOutDetail) => number, better: 'higher' | 'lower', format: (n: number) => string, limit?: LimitRow) => {
    const s = summarise(rounds.map(f), better);
    return [label, format(s.best), format(s.median), String(s.n), limit ? describeLimit(limit) : '', limit ? (limit.met ? 'met' : 'MISSED') : ''];
  };
  const units = first.units.toLocaleString('en-US');
  const rows = [
    row(`requests answered per second during the sale (${first.shoppers.toLocaleString('en-US')} shoppers, ${first.connections} connections)`, (d) => d.requestsPerSec, 'higher', formatRate),
    row(`sell-out time: first request → ${units}th unit sold (last 2xx)`, (d) => d.sellOutSeconds, 'lower', formatSeconds, limitFor(SELL_OUT_LIMITS.sellOutSeconds.label)),
    row('order p50 during the sale', (d) => d.latencyUs.p50 / 1000, 'lower', formatMs),
    row('order p99 during the sale', (d) => d.p99Ms, 'lower', formatMs, limitFor(SELL_OUT_LIMITS.p99Ms.label)),
    row(`all ${units} orders in PostgreSQL, from the first request`, (d) => d.persistedSeconds, 'lower', formatSeconds),
    row(`sold-out flood after the sale, ${first.floodSeconds} s, same shoppers: requests per second`, (d) => d.floodPerSec, 'higher', formatRate),
  ];
  const table = render(
    style,
    [{ header: 'sell-out' }, { header: 'best', align: 'right' }, { header: 'median', align: 'right' }, { header: 'rounds', align: 'right' }, { header: 'target', align: 'right' }, { header: 'result' }],
    rows,
  );
  const answers = rounds
    .map((d, i) => `round ${i + 1}: ${formatCount(d.sold)} of ${units} sold; answers ${Object.entries(d.codes).map(([code, n]) => `${code} × ${formatCount(n)}`).join(', ')}${d.truncated ? ' (cut at its time bound)' : ''}`)
    .join('; ');
  return `${table}

${answers}.`;
}

/** The scaling rows (empty when it did not run). */
export function scalingRowsOf(report: BenchReport): ScalingResult[] {
  return ((report.measurements.scaling?.samples[0]?.detail?.rows as ScalingResult[] | undefined) ?? []).slice();
}

/** What the scaling table's figures are, in one sentence (printed under it). */
export function scalingNote(report: BenchReport): string {
  const passes = (report.measurements.scaling?.samples[0]?.detail?.passes as unknown[] | undefined)?.length ?? 1;
  return `Orders spread over all the live items (not one hot item among idle ones); "change" is against the first row${passes > 1 ? `; each figure the best of ${passes} passes` : ''}. Informational: no target.`;
}

/** Cost as work grows: one line per (live items, shoppers), each compared with the first row. Pure. */
export function scalingTable(report: BenchReport, style: Style): string {
  const rows = scalingRowsOf(report);
  const base = rows[0];
  if (!base) return '';
  const body = rows.map((r) => [
    formatCount(r.items),
    formatCount(r.shoppers),
    // a rate over fewer requests than this is a burst, not a rate
    (r.firstTouchItems ?? 0) >= 100 ? formatRate(r.firstTouchPerSec) : '—',
    formatRate(r.soldOutPerSec),
    r === base ? 'base' : formatChange(r.soldOutPerSec, base.soldOutPerSec),
    `${formatCount(r.units)} over ${formatCount(Math.min(r.items, r.units))} item${Math.min(r.items, r.units) === 1 ? '' : 's'}`,
    formatRate(r.acceptedPerSec),
    r === base ? 'base' : formatChange(r.acceptedPerSec, base.acceptedPerSec),
    Number.isFinite(r.sellOutSeconds) ? formatSeconds(r.sellOutSeconds) : `not sold out (${formatCount(r.sold)})`,
    `${r.orderApiCoresFlood.toFixed(2)} / ${r.orderApiCoresSale.toFixed(2)}`,
  ]);
  return render(
    style,
    [
      { header: 'live items' },
      { header: 'shoppers', align: 'right' },
      { header: 'first touch of each item', align: 'right' },
      { header: 'sold-out rejections', align: 'right' },
      { header: 'change', align: 'right' },
      { header: 'sale (units)', align: 'right' },
      { header: 'accepted orders', align: 'right' },
      { header: 'change', align: 'right' },
      { header: 'sell-out time', align: 'right' },
      { header: 'order-api cores (flood / sale)', align: 'right' },
    ],
    body,
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
    ...(sellOutRounds(report.measurements).length > 0 ? ["#### Sell-out: a run like the peers' table", '', sellOutTable(report, 'markdown'), ''] : []),
    ...(scalingRowsOf(report).length > 0
      ? [
          '#### Cost as work grows',
          '',
          scalingTable(report, 'markdown'),
          '',
          scalingNote(report),
          '',
        ]
      : []),
    '#### Where the CPU went',
    '',
    cpuTable(report, 'markdown'),
    '',
    '#### How each figure was measured',
    '',
    methods,
  ].join('\n');
}
