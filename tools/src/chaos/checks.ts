import { maxOverlap } from '@seckill/testing';
import type { Check } from '../loadtest/verify';
import type { EndState } from './end-state';
import type { PageAnswer } from './page-traffic';
import type { Readiness } from './readiness';
import type { ShopperRecord } from './shoppers/records';

export type { Check };

/** A moment of the fault's timeline (epoch ms). */
export interface FaultMark {
  at: number;
  what: string;
}

/** Where the sale stood at one moment. */
export interface SaleProgress {
  at: number;
  arrived: number;
  accepted: number;
  outcomes: number;
}

export interface FaultWindow {
  /** When the fault began (the first thing the scenario broke) and when everything it broke was back. */
  startedAt?: number;
  endedAt?: number;
  /**
   * Where the sale stood when the fault took effect (clients cut off, a process gone), which for a graceful
   * broker stop comes a while after it began: did it land in the middle of the sale?
   */
  effect?: SaleProgress;
  marks: FaultMark[];
}

export interface Observations {
  stock: number;
  shoppers: number;
  saleStartedAt: number;
  records: readonly ShopperRecord[];
  page: readonly PageAnswer[];
  fault: FaultWindow;
  readiness?: Readiness;
  end: EndState;
  unexpectedExits: readonly string[];
  /** The scenario's own checks (a graceful stop answered what it had in flight…). */
  extra: readonly Check[];
}

export const LIMITS = {
  /** Every app ready again this long after the fault ended. */
  readyMs: 30_000,
  /** Requests in flight at one instant, at least: otherwise the sale did not really overlap. */
  minInFlight: 50,
} as const;

export interface Figures {
  shoppers: number;
  clicked: number;
  accepted: number;
  refused: number;
  gaveUp: number;
  unanswered: number;
  posts: number;
  byAnswer: Record<string, number>;
  tryAgain: number;
  tryAgainDuringFault: number;
  withoutRetryAfter: number;
  otherServerErrors: number;
  maxInFlight: number;
  outcomesReceived: number;
  pushed: number;
  afterReconnect: number;
  decided: number;
  polled: number;
  success: number;
  fail: number;
  lost: number;
  undelivered: number;
  disagreements: number;
  sold: number;
  oversold: number;
  duplicates: number;
  brokenPromises: number;
  stranded: number;
  publishing: number;
  redisCounter: number | null;
  stockLeft: number;
  parked: number;
  readyMs?: number;
  socketDrops: number;
  pageRequests: number;
  pageTimeouts: number;
}

const LIVE = new Set(['UNPAID', 'PAID']);

interface OutcomeView {
  status: string;
  orderNo?: string;
  reason?: string;
}

const sameOutcome = (a: OutcomeView, b: OutcomeView) => a.status === b.status && a.orderNo === b.orderNo && a.reason === b.reason;
const n = (x: number) => x.toLocaleString('en-US');

function answerKey(a: { status?: number; code?: string; error?: string }): string {
  if (a.status !== undefined) return `${a.status}${a.code ? ` ${a.code}` : ''}`;
  return `error ${a.error ?? 'unknown'}`;
}

const isServerError = (a: { status?: number }) => a.status !== undefined && a.status >= 500;
const isTryAgain = (a: { status?: number; code?: string }) => a.status === 503 && a.code === 'TRY_AGAIN';

/** Lists a few examples after a count, so a failing check names what to look up in the logs. */
function some(items: readonly string[], max = 3): string {
  return items.length === 0 ? '' : ` (e.g. ${items.slice(0, max).join('; ')})`;
}

/**
 * Every figure and check of one scenario, from the shoppers' records, the pages' answers, the readiness probe
 * and the end state of the stores. Pure: no I/O, so each check is unit-tested on made-up records.
 */
export function evaluate(o: Observations): { figures: Figures; checks: Check[] } {
  const { records, end, fault } = o;
  const attempts = records.flatMap((r) => r.attempts);
  const answered = attempts.filter((a) => a.answeredAt !== undefined);
  const clicked = records.filter((r) => r.clickedAt !== undefined);
  const accepted = records.filter((r) => r.end === 'accepted');
  const gaveUp = records.filter((r) => r.end === 'gave-up');
  const unanswered = clicked.filter((r) => r.end === undefined);

  const byAnswer: Record<string, number> = {};
  for (const a of answered) byAnswer[answerKey(a)] = (byAnswer[answerKey(a)] ?? 0) + 1;

  const pageAnswers = o.page.filter((p) => p.status !== undefined);
  const serverErrors = [...answered.filter((a) => isServerError(a) && !isTryAgain(a)).map((a) => `POST /api/seckill/orders → ${answerKey(a)}`), ...pageAnswers.filter((p) => isServerError(p) && !isTryAgain(p)).map((p) => `${p.route} → ${answerKey(p)}`)];
  const tryAgains = [...answered.filter(isTryAgain), ...pageAnswers.filter(isTryAgain)];
  const inFault = (at: number | undefined) => at !== undefined && fault.startedAt !== undefined && at >= fault.startedAt && at <= (fault.endedAt ?? Infinity);
  const tryAgainDuringFault = answered.filter((a) => isTryAgain(a) && inFault(a.answeredAt)).length + pageAnswers.filter((p) => isTryAgain(p) && inFault(p.at)).length;
  const withoutRetryAfter = [...answered, ...pageAnswers].filter((a) => a.status === 503 && a.retryAfterMs === undefined);

  const maxInFlight = maxOverlap(attempts.filter((a) => a.sentAt !== undefined).map((a) => ({ startedAt: a.sentAt!, endedAt: a.answeredAt ?? Infinity })));

  // Outcomes: what the shopper received, what PostgreSQL decided, what the polling API says.
  const dbByUuid = new Map(end.requests.map((r) => [r.uuid, r]));
  const decidedOf = (uuid: string) => {
    const db = dbByUuid.get(uuid);
    if (db && (db.status === 'SUCCESS' || db.status === 'FAIL')) return { status: db.status, ...(db.orderNo ? { orderNo: db.orderNo } : {}), ...(db.reason ? { reason: db.reason } : {}) };
    return end.api[uuid];
  };
  const uuidOf = (r: ShopperRecord) => r.uuid ?? r.requestId;
  const lost = accepted.filter((r) => decidedOf(uuidOf(r)) === undefined);
  const undelivered = accepted.filter((r) => !r.outcome);
  const received = accepted.filter((r) => r.outcome);
  const polled = accepted.filter((r) => !r.outcome && end.api[uuidOf(r)] !== undefined);

  const disagreements: string[] = [];
  for (const r of accepted) {
    const uuid = uuidOf(r);
    const db = dbByUuid.get(uuid);
    const views: [string, OutcomeView | undefined][] = [
      ['socket', r.outcome],
      ['API', end.api[uuid]],
      ['PostgreSQL', db && { status: db.status, ...(db.orderNo ? { orderNo: db.orderNo } : {}), ...(db.reason ? { reason: db.reason } : {}) }],
    ];
    const known = views.filter((v): v is [string, OutcomeView] => v[1] !== undefined);
    if (known.some(([, v]) => !sameOutcome(v, known[0]![1]))) disagreements.push(`${uuid}: ${known.map(([w, v]) => `${w} ${v.status}/${v.orderNo ?? v.reason ?? ''}`).join(', ')}`);
    if (r.uuid !== undefined && r.uuid !== r.requestId) disagreements.push(`${r.requestId}: the 202 carried uuid ${r.uuid}`);
  }
  const conflictingFrames = records.reduce((s, r) => s + r.conflictingFrames, 0);

  const finals = accepted.map((r) => decidedOf(uuidOf(r)) ?? r.outcome).filter((x) => x !== undefined);
  const brokenPromises = accepted.filter((r) => {
    const d = decidedOf(uuidOf(r)) ?? r.outcome;
    return d?.status === 'FAIL' && d.reason === 'SOLD_OUT';
  });

  // Stock: PostgreSQL is the truth; Redis must say the same once quiet.
  const sold = end.orders.length;
  const live = end.orders.filter((x) => LIVE.has(x.status));
  const oversold = Number.isFinite(end.stockTotal) ? Math.max(0, sold - end.stockTotal) : 0;
  const liveByUser = new Map<number, number>();
  for (const x of live) liveByUser.set(x.userId, (liveByUser.get(x.userId) ?? 0) + 1);
  const ordersByUuid = new Map<string, number>();
  for (const x of end.orders) ordersByUuid.set(x.uuid, (ordersByUuid.get(x.uuid) ?? 0) + 1);
  const twoLive = [...liveByUser].filter(([, c]) => c > 1).map(([u]) => `user ${u}`);
  const twoOrders = [...ordersByUuid].filter(([, c]) => c > 1).map(([u]) => `uuid ${u}`);
  const publishing = Object.entries(end.requestStates).filter(([, s]) => s === 'PUBLISHING').map(([u]) => u);
  const conservation = Number.isFinite(end.stockTotal) ? end.stockTotal - end.stockLeft - live.length : 0;
  const redisShortfall = end.redisCounter === null || !Number.isFinite(end.stockLeft) ? 0 : Math.max(0, end.stockLeft - end.redisCounter);
  const stranded = Math.max(publishing.length, redisShortfall) + Math.abs(conservation);
  const parked = end.parkingLots.reduce((s, q) => s + q.messages, 0);

  const figures: Figures = {
    shoppers: o.shoppers,
    clicked: clicked.length,
    accepted: accepted.length,
    refused: records.filter((r) => r.end === 'refused').length,
    gaveUp: gaveUp.length,
    unanswered: unanswered.length,
    posts: attempts.length,
    byAnswer,
    tryAgain: tryAgains.length,
    tryAgainDuringFault,
    withoutRetryAfter: withoutRetryAfter.length,
    otherServerErrors: serverErrors.length,
    maxInFlight,
    outcomesReceived: received.length,
    pushed: received.filter((r) => r.outcome!.via === 'push').length,
    afterReconnect: received.filter((r) => r.outcome!.via === 'reconnect').length,
    decided: accepted.length - lost.length,
    polled: polled.length,
    success: finals.filter((f) => f.status === 'SUCCESS').length,
    fail: finals.filter((f) => f.status === 'FAIL').length,
    lost: lost.length,
    undelivered: undelivered.length,
    disagreements: disagreements.length + conflictingFrames,
    sold,
    oversold,
    duplicates: twoLive.length + twoOrders.length,
    brokenPromises: brokenPromises.length,
    stranded,
    publishing: publishing.length,
    redisCounter: end.redisCounter,
    stockLeft: end.stockLeft,
    parked,
    ...(o.readiness?.ms !== undefined ? { readyMs: o.readiness.ms } : {}),
    socketDrops: records.reduce((s, r) => s + r.socketDrops, 0),
    pageRequests: o.page.length,
    pageTimeouts: o.page.filter((p) => p.error === 'TIMEOUT').length,
  };

  const checks: Check[] = [];
  const add = (name: string, ok: boolean, detail: string) => checks.push({ name, ok, detail });
  const rel = (at: number | undefined) => (at === undefined ? '?' : `${((at - o.saleStartedAt) / 1000).toFixed(1)} s`);

  const effect = fault.effect;
  const stock = Number.isFinite(end.stockTotal) ? end.stockTotal : o.stock;
  // Mid-sale: shoppers still to come, and units still to sell or 202s still to decide. A fault that takes effect
  // once everything is decided puts nothing at stake, whatever it breaks.
  const midSale = effect !== undefined && effect.arrived < o.shoppers && (effect.accepted < stock || effect.outcomes < effect.accepted);
  add(
    'the fault landed mid-sale',
    fault.startedAt !== undefined && fault.endedAt !== undefined && midSale,
    fault.startedAt === undefined || effect === undefined
      ? 'no fault was injected'
      : `began at ${rel(fault.startedAt)}, took effect at ${rel(effect.at)} with ${n(effect.arrived)} of ${n(o.shoppers)} shoppers arrived, ` +
          `${n(effect.accepted)} of ${n(stock)} units accepted and ${n(effect.outcomes)} outcomes in; ` +
          (fault.endedAt === undefined ? 'never ended' : `over at ${rel(fault.endedAt)}`),
  );
  add('the requests really overlapped', maxInFlight >= LIMITS.minInFlight, `at most ${n(maxInFlight)} order requests in flight at once (at least ${LIMITS.minInFlight} wanted)`);
  add(
    'no 5xx except 503 TRY_AGAIN',
    serverErrors.length === 0,
    serverErrors.length === 0 ? `none (${n(tryAgains.length)} × 503 TRY_AGAIN, ${n(tryAgainDuringFault)} of them during the fault)` : `${n(serverErrors.length)}${some(serverErrors)}`,
  );
  add(
    'every 503 carries Retry-After',
    withoutRetryAfter.length === 0,
    withoutRetryAfter.length === 0 ? `${n(tryAgains.length)} × 503, all with Retry-After` : `${n(withoutRetryAfter.length)} of ${n([...answered, ...pageAnswers].filter((a) => a.status === 503).length)} without it`,
  );
  const stuck = [...gaveUp, ...unanswered].map((r) => `${r.requestId}: last ${answerKey(r.attempts.at(-1) ?? {})} after ${r.attempts.length} attempts`);
  add(
    'every shopper got a final answer',
    gaveUp.length + unanswered.length === 0 && clicked.length === o.shoppers,
    `${n(accepted.length)} × 202, ${n(figures.refused)} refused (409…), ${n(gaveUp.length)} still refused with 503 or unreachable when they gave up, ` +
      `${n(unanswered.length)} unanswered, ${n(o.shoppers - clicked.length)} never clicked${some(stuck)}`,
  );
  add(
    'nothing lost: every 202 decided',
    lost.length === 0,
    `${n(accepted.length - lost.length)} of ${n(accepted.length)} 202s have a final outcome in PostgreSQL or the polling API${some(lost.map(uuidOf))}`,
  );
  add(
    "every outcome reached its shopper's socket",
    undelivered.length === 0,
    `${n(received.length)} of ${n(accepted.length)} (${n(figures.pushed)} pushed, ${n(figures.afterReconnect)} after a reconnect; ${n(figures.socketDrops)} socket drops)` +
      (undelivered.length ? `; missing ${n(undelivered.length)}, ${n(undelivered.filter((r) => decidedOf(uuidOf(r)) !== undefined).length)} of them decided${some(undelivered.map(uuidOf))}` : ''),
  );
  add(
    'socket, API and PostgreSQL agree',
    disagreements.length === 0 && conflictingFrames === 0,
    disagreements.length + conflictingFrames === 0 ? `every 202's outcome is the same everywhere it is known` : `${n(disagreements.length)} disagree, ${n(conflictingFrames)} contradicting frames${some(disagreements)}`,
  );
  add('no oversell', oversold === 0, `${n(sold)} orders for ${Number.isFinite(end.stockTotal) ? n(end.stockTotal) : '?'} units`);
  add('no duplicates', twoLive.length + twoOrders.length === 0, twoLive.length + twoOrders.length === 0 ? 'no shopper with two live orders, no uuid with two orders' : `${n(twoLive.length)} shoppers with two live orders, ${n(twoOrders.length)} uuids with two orders${some([...twoLive, ...twoOrders])}`);
  add(
    'no broken promises (a 202 that ends FAIL SOLD_OUT)',
    brokenPromises.length === 0,
    `${n(brokenPromises.length)} of ${n(accepted.length)} 202s ended FAIL SOLD_OUT${some(brokenPromises.map(uuidOf))}`,
  );
  add(
    'no stranded units',
    stranded === 0,
    `${n(publishing.length)} reservations still PUBLISHING in Redis; stock_total ${Number.isFinite(end.stockTotal) ? n(end.stockTotal) : '?'} = stock_left ${Number.isFinite(end.stockLeft) ? n(end.stockLeft) : '?'} + ${n(live.length)} live orders ${conservation === 0 ? 'holds' : `is off by ${n(conservation)}`}; ` +
      `Redis holds ${n(redisShortfall)} fewer than PostgreSQL${some(publishing)}`,
  );
  add(
    'Redis = PostgreSQL once quiet',
    end.redisCounter !== null && end.redisCounter === end.stockLeft,
    `Redis counter ${end.redisCounter ?? '(missing)'}, seckill_goods.stock_left ${Number.isFinite(end.stockLeft) ? end.stockLeft : '?'}`,
  );
  add('parking lots empty', parked === 0, parked === 0 ? `${end.parkingLots.length} parking lots, all empty` : end.parkingLots.filter((q) => q.messages > 0).map((q) => `${q.queue}: ${q.messages}`).join(', '));
  const notReady = Object.entries(o.readiness?.perApp ?? {}).filter(([, t]) => t === undefined || t > LIMITS.readyMs).map(([l]) => l);
  add(
    `every app ready within ${LIMITS.readyMs / 1000} s of the fault's end`,
    o.readiness?.ms !== undefined && o.readiness.ms <= LIMITS.readyMs,
    o.readiness === undefined ? 'not measured' : o.readiness.ms === undefined ? `never ready: ${notReady.join(', ')}` : `all ready after ${(o.readiness.ms / 1000).toFixed(1)} s${notReady.length ? ` (late: ${notReady.join(', ')})` : ''}`,
  );
  add('no process died on its own', o.unexpectedExits.length === 0, o.unexpectedExits.length === 0 ? 'none' : o.unexpectedExits.join(', '));
  if (end.errors.length > 0) add('the end state could be read', false, end.errors.join('; '));
  checks.push(...o.extra);
  return { figures, checks };
}

/**
 * What still has to converge before the end state is worth judging: an empty list ends the wait early. Only
 * things that time can still change are here; a broken promise or an oversell will not heal by waiting.
 */
export function stillSettling(o: Pick<Observations, 'records' | 'end' | 'readiness' | 'shoppers'>): string[] {
  const pending: string[] = [];
  const { records, end } = o;
  if (records.filter((r) => r.clickedAt !== undefined).length < o.shoppers) pending.push('shoppers still arriving');
  const accepted = records.filter((r) => r.end === 'accepted');
  if (records.some((r) => r.clickedAt !== undefined && r.end === undefined)) pending.push('orders unanswered');
  const decided = new Set(end.requests.filter((r) => r.status === 'SUCCESS' || r.status === 'FAIL').map((r) => r.uuid));
  if (accepted.some((r) => !decided.has(r.uuid ?? r.requestId) || !end.api[r.uuid ?? r.requestId])) pending.push('202s not yet decided everywhere');
  if (accepted.some((r) => !r.outcome && r.socketRefusedCode === undefined)) pending.push('outcomes not yet on their sockets');
  if (end.errors.length > 0) pending.push('stores not readable');
  if (end.redisCounter === null || end.redisCounter !== end.stockLeft) pending.push('Redis ≠ PostgreSQL');
  if (Object.values(end.requestStates).includes('PUBLISHING')) pending.push('reservations PUBLISHING');
  const live = end.orders.filter((x) => LIVE.has(x.status)).length;
  if (end.stockTotal !== end.stockLeft + live) pending.push('stock_total ≠ left + live');
  if (o.readiness === undefined || o.readiness.ms === undefined) pending.push('apps not ready');
  return pending;
}
