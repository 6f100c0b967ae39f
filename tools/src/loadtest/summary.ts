import { maxOverlap } from '@seckill/testing';
import { firstSentAt, type RequestRecord } from './protocol';
import { binFor, maxOf, minOf, percentiles, rateSeries, stackedHistogram, tally, type Percentiles, type StackedHistogram } from './stats';
import type { RoomFigures } from './room-figures';
import { formatRoomSummary } from './room-summary';
import { int, ms, table } from './text-format';
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
    itemId: number;
    clientProcesses: number;
    httpConnections: string;
    host: { cpus: number; node: string; platform: string; openFileLimit: number };
    timedOut: boolean;
    /** Ctrl-C: stopped early on purpose (timedOut is set too: the run did not finish). */
    interrupted: boolean;
    lostClients: number;
    /** --retries */
    retries: number;
  };
  preparation: { systemStartMs?: number; saleAndShoppersMs: number; socketsMs: number; socketsOpen: number; socketsFailed: number; connectionsOpen: number };
  requests: {
    /** Shoppers: one order each, however many attempts it took. */
    total: number;
    /** Shoppers whose first attempt went out. */
    sent: number;
    /** Shoppers with a last answer (an HTTP status). */
    answered: number;
    accepted: number;
    soldOut: number;
    /** Every POST on the wire, retries included. */
    posts: number;
    /** Every HTTP answer, retried 503s included. */
    responses: number;
    /** Every answer by label, retried 503s included; shoppers without an answer by what happened instead. */
    byStatus: [string, number][];
    /** Most requests on the wire at the same instant (sent, not yet answered). */
    maxInFlight: number;
    /** First shopper's first request sent → last shopper's first request sent. */
    sendSpanMs: number;
    /** First request sent → first HTTP answer of any kind (issue 13's "first answer within 0.5 s"). */
    firstAnswerMs: number;
    /** First request sent → last answer. */
    answerSpanMs: number;
  };
  /** 503 TRY_AGAIN answers posted again with the same requestId. */
  retries: {
    /** Limit of further attempts per shopper (--retries). */
    limit: number;
    /** 503 TRY_AGAIN answers that were retried. */
    retried: number;
    /** Shoppers who retried at least once. */
    shoppers: number;
    /** Of those, shoppers whose last answer is not a 503 (202, 409, …). */
    settled: number;
    /** Shoppers whose last answer is a 503 TRY_AGAIN: they never got a final answer. */
    gaveUp: number;
    gaveUpOutOfRetries: number;
    gaveUpOutOfTime: number;
    /** Shoppers by number of attempts, e.g. [['1', 19646], ['2', 354]]. */
    attemptsPerShopper: [string, number][];
    /** Retries that waited for the server's Retry-After rather than the backoff. */
    byRetryAfter: number;
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
    /** Every 503 TRY_AGAIN answer, retried or last. */
    httpTryAgain: Percentiles;
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
  /** --room: what the waiting room did (this run is the one with the room; its orders are the figures above). */
  room?: RoomFigures;
  /** --room: the same sale without the room, run first. */
  baseline?: Figures;
}

export type RunInfo = Figures['run'];
export type PreparationInfo = Figures['preparation'];

/** A label per answer: the status and its error code, or the transport error, or that none came. */
export function answerLabel(r: Partial<RequestRecord>): string {
  if (r.status !== undefined) return r.status === 202 ? '202 QUEUED' : `${r.status}${r.code ? ` ${r.code}` : ''}`;
  if (r.error !== undefined) return `error ${r.error}`;
  return r.sentAt !== undefined ? 'no answer' : 'not sent';
}

interface Attempt {
  sentAt?: number;
  answeredAt?: number;
  status?: number;
  code?: string;
}

/** Every attempt of a shopper that went out or was answered: the retried ones, then the latest. */
function attemptsOf(r: RequestRecord): Attempt[] {
  const latest = r.sentAt !== undefined || r.answeredAt !== undefined ? [r] : [];
  return [...(r.retried ?? []), ...latest];
}

const isTryAgain = (a: Attempt) => a.status === 503 && a.code === 'TRY_AGAIN';

/** Rate over a span, or 0 when there is no span to speak of. */
const perSecond = (count: number, spanMs: number) => (spanMs > 0 ? (count * 1000) / spanMs : 0);

export function computeFigures(records: readonly RequestRecord[], run: RunInfo, preparation: PreparationInfo, invariants: Check[]): Figures {
  const firsts = records.map(firstSentAt).filter((t): t is number => t !== undefined);
  // Time zero is the first request on the wire: every "after" below is measured from it.
  const t0 = firsts.length ? minOf(firsts) : 0;
  const attempts = records.flatMap(attemptsOf);
  const posts = attempts.filter((a) => a.sentAt !== undefined);
  const responses = attempts.filter((a) => a.status !== undefined);
  const answered = records.filter((r) => r.status !== undefined);
  const accepted = records.filter((r) => r.status === 202);
  const soldOut = records.filter((r) => r.status === 409 && r.code === 'SOLD_OUT');
  const lastOf = (rs: readonly { answeredAt?: number }[]) => (rs.length ? maxOf(rs.map((r) => r.answeredAt!)) - t0 : 0);
  const outcomes = accepted.filter((r) => r.outcome);
  const pushed = outcomes.filter((r) => r.outcome!.via === 'push');
  const lastOutcomeMs = outcomes.length ? maxOf(outcomes.map((r) => r.outcome!.at)) - t0 : 0;
  const latency = (rs: readonly Attempt[]) => rs.filter((r) => r.sentAt !== undefined && r.answeredAt !== undefined).map((r) => r.answeredAt! - r.sentAt!);
  // From the shopper's first click: the retries are part of what the shopper waited for.
  const clickToOutcome = pushed.filter((r) => firstSentAt(r) !== undefined).map((r) => r.outcome!.at - firstSentAt(r)!);
  const otherResponses = responses.filter((a) => a.status !== 202 && !(a.status === 409 && a.code === 'SOLD_OUT'));
  const tryAgain = responses.filter(isTryAgain);

  const retriedShoppers = records.filter((r) => r.retried?.length);
  const gaveUp = records.filter((r) => r.gaveUp !== undefined);
  const retries: Figures['retries'] = {
    limit: run.retries,
    retried: retriedShoppers.reduce((a, r) => a + r.retried!.length, 0),
    shoppers: retriedShoppers.length,
    settled: retriedShoppers.filter((r) => r.status !== undefined && !isTryAgain(r)).length,
    gaveUp: gaveUp.length,
    gaveUpOutOfRetries: gaveUp.filter((r) => r.gaveUp === 'retries').length,
    gaveUpOutOfTime: gaveUp.filter((r) => r.gaveUp === 'deadline').length,
    attemptsPerShopper: tally(records.filter((r) => firstSentAt(r) !== undefined).map((r) => String(attemptsOf(r).length))).sort((a, b) => Number(a[0]) - Number(b[0])),
    byRetryAfter: retriedShoppers.reduce((a, r) => a + r.retried!.filter((x) => x.retryAfterMs !== undefined).length, 0),
  };

  const spanMs = Math.max(lastOf(responses), lastOutcomeMs, 1);
  const binMs = binFor(spanMs);
  const since = (ts: number[]) => ts.map((t) => t - t0);
  // "sent" is drawn only as a running total: a burst sends thousands in one bin and would flatten every rate.
  const series = [
    { name: '202 accepted', times: since(accepted.map((r) => r.answeredAt!)) },
    { name: '409 sold out', times: since(soldOut.map((r) => r.answeredAt!)) },
    { name: 'other answers', times: since(otherResponses.map((r) => r.answeredAt!)) },
    { name: 'outcomes pushed', times: since(pushed.map((r) => r.outcome!.at)) },
  ].filter((s) => s.name !== 'other answers' || s.times.length > 0);
  const running = [
    { name: 'sent', times: since(posts.map((r) => r.sentAt!)) },
    { name: 'answered', times: since(responses.map((r) => r.answeredAt!)) },
    { name: '202 accepted', times: series[0]!.times },
    { name: 'outcomes pushed', times: series[series.length - 1]!.times },
  ];

  const queued = records.filter((r) => r.issuedAt !== undefined && firstSentAt(r) !== undefined).map((r) => firstSentAt(r)! - r.issuedAt!);
  return {
    run,
    preparation,
    requests: {
      total: records.length,
      sent: firsts.length,
      answered: answered.length,
      accepted: accepted.length,
      soldOut: soldOut.length,
      posts: posts.length,
      responses: responses.length,
      byStatus: tally([...records.map(answerLabel), ...records.flatMap((r) => (r.retried ?? []).map(answerLabel))]),
      maxInFlight: maxOverlap(posts.map((r) => ({ startedAt: r.sentAt!, endedAt: r.answeredAt ?? Infinity }))),
      sendSpanMs: firsts.length ? maxOf(firsts) - t0 : 0,
      firstAnswerMs: responses.length ? minOf(responses.map((r) => r.answeredAt!)) - t0 : 0,
      answerSpanMs: lastOf(answered),
    },
    retries,
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
      httpAll: percentiles(latency(responses)),
      httpAccepted: percentiles(latency(accepted)),
      httpSoldOut: percentiles(latency(soldOut)),
      httpTryAgain: percentiles(latency(tryAgain)),
      ...(run.httpConnections !== 'one per shopper' ? { clientQueue: percentiles(queued) } : {}),
    },
    charts: {
      outcomeLatency: stackedHistogram([{ name: 'click → pushed outcome', values: clickToOutcome }]),
      httpLatency: stackedHistogram([
        { name: '202 accepted', values: latency(accepted) },
        { name: '409 sold out', values: latency(soldOut) },
        { name: 'other', values: latency(otherResponses) },
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

/** The retries in one sentence, for the summary and the report. */
export function describeRetries(f: Pick<Figures, 'retries'>): string {
  const x = f.retries;
  if (x.retried === 0 && x.gaveUp === 0) return x.limit === 0 ? 'off (--retries 0)' : 'none needed (no 503 TRY_AGAIN)';
  const most = x.attemptsPerShopper.length ? Number(x.attemptsPerShopper[x.attemptsPerShopper.length - 1]![0]) : 1;
  const why = [x.gaveUpOutOfRetries ? `${int(x.gaveUpOutOfRetries)} out of retries` : '', x.gaveUpOutOfTime ? `${int(x.gaveUpOutOfTime)} out of time` : ''].filter(Boolean).join(', ');
  return (
    `${int(x.retried)} × 503 TRY_AGAIN retried with the same requestId by ${int(x.shoppers)} shoppers (at most ${int(most)} attempts, limit ${int(x.limit + 1)}` +
    `${x.byRetryAfter ? `; ${int(x.byRetryAfter)} after Retry-After` : ''}); ${int(x.settled)} then got a final answer` +
    (x.gaveUp ? `, ${int(x.gaveUp)} GAVE UP (${why})` : ', none gave up')
  );
}


/**
 * The summary printed at the end of a run: the headline figures, latencies, the waiting room's figures (--room)
 * and every invariant; `result: false` leaves out the verdict (the run without the room, printed first).
 */
export function formatSummary(f: Figures, reportPath?: string, opts: { result?: boolean } = {}): string {
  const r = f.run;
  const lines: string[] = [];
  const pattern = f.room ? 'through a waiting room' : r.pattern === 'ramp' ? `ramp over ${r.rampSeconds} s` : 'burst (all at once)';
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
        ['sent / answered', `${int(q.sent)} / ${int(q.answered)}`, `${int(f.rates.answeredPerSec)}/s`, `all sent within ${ms(q.sendSpanMs)} ms; max ${int(q.maxInFlight)} in flight at once${q.posts > q.sent ? `; ${int(q.posts)} posts with the retries` : ''}`],
        ['202 accepted', int(q.accepted), `${int(f.rates.acceptedPerSec)}/s`, ''],
        ['409 sold out', int(q.soldOut), `${int(f.rates.soldOutPerSec)}/s`, `first answer of any kind ${ms(q.firstAnswerMs)} ms, last ${ms(q.answerSpanMs)} ms after the first request`],
      ],
      ['l', 'r', 'r', 'l'],
    ),
  );
  lines.push('');
  lines.push('responses by status');
  lines.push(...table(q.byStatus.map(([k, v]) => [`  ${k}`, int(v)]), ['l', 'r']));
  lines.push('');
  lines.push(`retries       ${describeRetries(f)}`);
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
        ...(l.httpTryAgain.count ? [row('HTTP, 503 try again', l.httpTryAgain)] : []),
        ...(l.clientQueue ? [row('wait for a pooled connection', l.clientQueue)] : []),
      ],
      ['l', 'r', 'r', 'r', 'r', 'r'],
    ),
  );
  if (f.room) lines.push('', ...formatRoomSummary(f.room));
  lines.push('');
  lines.push('invariants');
  for (const c of f.invariants) lines.push(`  ${c.ok ? 'ok  ' : 'FAIL'}  ${c.name}: ${c.detail}`);
  if (f.invariants.length === 0) lines.push('  not checked');
  if (opts.result === false) return lines.join('\n');
  lines.push('');
  lines.push(f.ok ? `RESULT: all invariants hold${f.baseline ? ', with and without the room' : ''}` : 'RESULT: FAILED');
  if (reportPath) lines.push(`report: ${reportPath}`);
  return lines.join('\n');
}
