import type { RequestRecord } from './protocol';
import { binFor, maxConcurrent, maxOf, minOf, percentiles, rateSeries, stackedHistogram, tally, type Percentiles, type StackedHistogram } from './stats';
import type { Check } from './verify';

/** Everything the run measured, as written to the JSON report and drawn in the HTML one. */
export interface Figures {
  run: {
    startedAt: string;
    command: string;
    mode: 'self-hosted' | 'target';
    system: string;
    pattern: 'burst' | 'ramp';
    rampSeconds?: number;
    shoppers: number;
    stock: number;
    goodId: number;
    clientProcesses: number;
    httpConnections: string;
    host: { cpus: number; node: string; platform: string; openFileLimit: number };
    timedOut: boolean;
    /** Ctrl-C: stopped early on purpose (timedOut is set too: the run did not finish). */
    interrupted: boolean;
    lostClients: number;
  };
  preparation: { systemStartMs?: number; saleAndShoppersMs: number; socketsMs: number; socketsOpen: number; socketsFailed: number; connectionsOpen: number };
  requests: {
    total: number;
    sent: number;
    answered: number;
    accepted: number;
    soldOut: number;
    byStatus: [string, number][];
    /** Most requests on the wire at the same instant (sent, not yet answered). */
    maxInFlight: number;
    /** First request sent → last request sent. */
    sendSpanMs: number;
    /** First request sent → last answer. */
    answerSpanMs: number;
  };
  rates: { acceptedPerSec: number; soldOutPerSec: number; answeredPerSec: number };
  outcomes: {
    expected: number;
    pushed: number;
    polled: number;
    missing: number;
    success: number;
    fail: number;
    failReasons: [string, number][];
    /** First request sent → last outcome received. */
    lastOutcomeMs: number;
    socketsDropped: number;
  };
  latency: {
    clickToPushedOutcome: Percentiles;
    httpAll: Percentiles;
    httpAccepted: Percentiles;
    httpSoldOut: Percentiles;
    /** Pool mode: how long a click waited for a free connection. */
    clientQueue?: Percentiles;
  };
  charts: {
    outcomeLatency: StackedHistogram;
    httpLatency: StackedHistogram;
    throughput: { binMs: number; t: number[]; series: { name: string; perSecond: number[] }[] };
    /** Running totals at the end of each throughput bin. */
    cumulative: { binMs: number; t: number[]; series: { name: string; total: number[] }[] };
  };
  invariants: Check[];
  ok: boolean;
}

export type RunInfo = Figures['run'];
export type PreparationInfo = Figures['preparation'];

/** A label per answer: the status and its error code, or the transport error, or that none came. */
export function answerLabel(r: RequestRecord): string {
  if (r.status !== undefined) return r.status === 202 ? '202 QUEUED' : `${r.status}${r.code ? ` ${r.code}` : ''}`;
  if (r.error !== undefined) return `error ${r.error}`;
  return r.sentAt !== undefined ? 'no answer' : 'not sent';
}

/** Rate over a span, or 0 when there is no span to speak of. */
const perSecond = (count: number, spanMs: number) => (spanMs > 0 ? (count * 1000) / spanMs : 0);

export function computeFigures(records: readonly RequestRecord[], run: RunInfo, preparation: PreparationInfo, invariants: Check[]): Figures {
  const sent = records.filter((r) => r.sentAt !== undefined);
  // Time zero is the first request on the wire: every "after" below is measured from it.
  const t0 = sent.length ? minOf(sent.map((r) => r.sentAt!)) : 0;
  const answered = records.filter((r) => r.status !== undefined);
  const accepted = records.filter((r) => r.status === 202);
  const soldOut = records.filter((r) => r.status === 409 && r.code === 'SOLD_OUT');
  const lastOf = (rs: readonly RequestRecord[]) => (rs.length ? maxOf(rs.map((r) => r.answeredAt!)) - t0 : 0);
  const outcomes = accepted.filter((r) => r.outcome);
  const pushed = outcomes.filter((r) => r.outcome!.via === 'push');
  const lastOutcomeMs = outcomes.length ? maxOf(outcomes.map((r) => r.outcome!.at)) - t0 : 0;
  const latency = (rs: readonly RequestRecord[]) => rs.filter((r) => r.sentAt !== undefined && r.answeredAt !== undefined).map((r) => r.answeredAt! - r.sentAt!);
  const clickToOutcome = pushed.filter((r) => r.sentAt !== undefined).map((r) => r.outcome!.at - r.sentAt!);
  const others = answered.filter((r) => r.status !== 202 && !(r.status === 409 && r.code === 'SOLD_OUT'));

  const spanMs = Math.max(lastOf(answered), lastOutcomeMs, 1);
  const binMs = binFor(spanMs);
  const since = (ts: number[]) => ts.map((t) => t - t0);
  // "sent" is drawn only as a running total: a burst sends thousands in one bin and would flatten every rate.
  const series = [
    { name: '202 accepted', times: since(accepted.map((r) => r.answeredAt!)) },
    { name: '409 sold out', times: since(soldOut.map((r) => r.answeredAt!)) },
    { name: 'other answers', times: since(others.map((r) => r.answeredAt!)) },
    { name: 'outcomes pushed', times: since(pushed.map((r) => r.outcome!.at)) },
  ].filter((s) => s.name !== 'other answers' || s.times.length > 0);
  const running = [
    { name: 'sent', times: since(sent.map((r) => r.sentAt!)) },
    { name: 'answered', times: since(answered.map((r) => r.answeredAt!)) },
    { name: '202 accepted', times: series[0]!.times },
    { name: 'outcomes pushed', times: series[series.length - 1]!.times },
  ];

  const queued = records.filter((r) => r.issuedAt !== undefined && r.sentAt !== undefined).map((r) => r.sentAt! - r.issuedAt!);
  return {
    run,
    preparation,
    requests: {
      total: records.length,
      sent: sent.length,
      answered: answered.length,
      accepted: accepted.length,
      soldOut: soldOut.length,
      byStatus: tally(records.map(answerLabel)),
      maxInFlight: maxConcurrent(sent.map((r) => ({ from: r.sentAt!, to: r.answeredAt ?? Infinity }))),
      sendSpanMs: sent.length ? maxOf(sent.map((r) => r.sentAt!)) - t0 : 0,
      answerSpanMs: lastOf(answered),
    },
    rates: {
      acceptedPerSec: perSecond(accepted.length, lastOf(accepted)),
      soldOutPerSec: perSecond(soldOut.length, lastOf(soldOut)),
      answeredPerSec: perSecond(answered.length, lastOf(answered)),
    },
    outcomes: {
      expected: accepted.length,
      pushed: pushed.length,
      polled: outcomes.length - pushed.length,
      missing: accepted.length - outcomes.length,
      success: outcomes.filter((r) => r.outcome!.status === 'SUCCESS').length,
      fail: outcomes.filter((r) => r.outcome!.status === 'FAIL').length,
      failReasons: tally(outcomes.filter((r) => r.outcome!.status === 'FAIL').map((r) => r.outcome!.reason ?? '?')),
      lastOutcomeMs,
      socketsDropped: records.filter((r) => r.socket === 'dropped').length,
    },
    latency: {
      clickToPushedOutcome: percentiles(clickToOutcome),
      httpAll: percentiles(latency(answered)),
      httpAccepted: percentiles(latency(accepted)),
      httpSoldOut: percentiles(latency(soldOut)),
      ...(run.httpConnections !== 'one per shopper' ? { clientQueue: percentiles(queued) } : {}),
    },
    charts: {
      outcomeLatency: stackedHistogram([{ name: 'click → pushed outcome', values: clickToOutcome }]),
      httpLatency: stackedHistogram([
        { name: '202 accepted', values: latency(accepted) },
        { name: '409 sold out', values: latency(soldOut) },
        { name: 'other', values: latency(others) },
      ]),
      throughput: (() => {
        const rs = series.map((s) => ({ name: s.name, perSecond: rateSeries(s.times, spanMs, binMs).perSecond }));
        return { binMs, t: rateSeries([], spanMs, binMs).t, series: rs };
      })(),
      cumulative: {
        binMs,
        t: rateSeries([], spanMs, binMs).t,
        series: running.map((s) => {
          let sum = 0;
          return { name: s.name, total: rateSeries(s.times, spanMs, binMs).perSecond.map((v) => (sum += (v * binMs) / 1000)) };
        }),
      },
    },
    invariants,
    ok: invariants.length > 0 && invariants.every((c) => c.ok) && !run.timedOut,
  };
}

const int = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '–');
const ms = (x: number) => (Number.isFinite(x) ? (x < 10 ? x.toFixed(1) : Math.round(x).toLocaleString('en-US')) : '–');

function table(rows: string[][], align: ('l' | 'r')[]): string[] {
  const widths = align.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => (align[i] === 'r' ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd());
}

/** The summary printed at the end of a run: the headline figures, latencies and every invariant. */
export function formatSummary(f: Figures, reportPath?: string): string {
  const r = f.run;
  const lines: string[] = [];
  const pattern = r.pattern === 'ramp' ? `ramp over ${r.rampSeconds} s` : 'burst (all at once)';
  lines.push(`Flash-sale load test: ${int(r.shoppers)} shoppers, ${int(r.stock)} units, ${pattern}`);
  lines.push(`  ${r.system}; ${r.clientProcesses} client processes, HTTP connections: ${r.httpConnections}`);
  if (r.timedOut) lines.push(`  ${r.interrupted ? 'INTERRUPTED' : 'TIMED OUT'}: the figures below are what the run had when it stopped${r.lostClients ? ` (${r.lostClients} client processes lost)` : ''}`);
  lines.push('');
  const p = f.preparation;
  lines.push(
    `preparation   ${p.systemStartMs !== undefined ? `system up in ${ms(p.systemStartMs)} ms, ` : ''}sale + shoppers in ${ms(p.saleAndShoppersMs)} ms, ` +
      `${int(p.socketsOpen)} sockets + ${int(p.connectionsOpen)} connections opened in ${ms(p.socketsMs)} ms` +
      (p.socketsFailed ? ` (${int(p.socketsFailed)} sockets failed)` : ''),
  );
  lines.push('');
  const q = f.requests;
  lines.push(
    ...table(
      [
        ['requests', 'count', 'rate', ''],
        ['sent / answered', `${int(q.sent)} / ${int(q.answered)}`, `${int(f.rates.answeredPerSec)}/s`, `all sent within ${ms(q.sendSpanMs)} ms; max ${int(q.maxInFlight)} in flight at once`],
        ['202 accepted', int(q.accepted), `${int(f.rates.acceptedPerSec)}/s`, ''],
        ['409 sold out', int(q.soldOut), `${int(f.rates.soldOutPerSec)}/s`, `last answer ${ms(q.answerSpanMs)} ms after the first request`],
      ],
      ['l', 'r', 'r', 'l'],
    ),
  );
  lines.push('');
  lines.push('responses by status');
  lines.push(...table(q.byStatus.map(([k, v]) => [`  ${k}`, int(v)]), ['l', 'r']));
  lines.push('');
  const o = f.outcomes;
  lines.push(
    `outcomes      ${int(o.pushed)} pushed on the socket + ${int(o.polled)} polled of ${int(o.expected)} accepted` +
      (o.missing ? `, ${int(o.missing)} MISSING` : '') +
      `; ${int(o.success)} SUCCESS, ${int(o.fail)} FAIL${o.failReasons.length ? ` (${o.failReasons.map(([k, v]) => `${k} ${v}`).join(', ')})` : ''}`,
  );
  lines.push(`              last outcome ${ms(o.lastOutcomeMs)} ms after the first request${o.socketsDropped ? `; ${int(o.socketsDropped)} sockets dropped` : ''}`);
  lines.push('');
  const l = f.latency;
  const row = (name: string, x: Percentiles) => [name, int(x.count), ms(x.p50), ms(x.p90), ms(x.p99), ms(x.max)];
  lines.push(
    ...table(
      [
        ['latency (ms)', 'n', 'p50', 'p90', 'p99', 'max'],
        row('click → pushed outcome', l.clickToPushedOutcome),
        row('HTTP, every answer', l.httpAll),
        row('HTTP, 202 accepted', l.httpAccepted),
        row('HTTP, 409 sold out', l.httpSoldOut),
        ...(l.clientQueue ? [row('wait for a pooled connection', l.clientQueue)] : []),
      ],
      ['l', 'r', 'r', 'r', 'r', 'r'],
    ),
  );
  lines.push('');
  lines.push('invariants');
  for (const c of f.invariants) lines.push(`  ${c.ok ? 'ok  ' : 'FAIL'}  ${c.name}: ${c.detail}`);
  if (f.invariants.length === 0) lines.push('  not checked');
  lines.push('');
  lines.push(f.ok ? 'RESULT: all invariants hold' : 'RESULT: FAILED');
  if (reportPath) lines.push(`report: ${reportPath}`);
  return lines.join('\n');
}
