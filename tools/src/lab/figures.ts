import type { RequestRecord } from '../loadtest/protocol';
import type { Check } from '../loadtest/verify';

/** What PostgreSQL holds for the scenario's item once the sale is quiet. */
export interface DbState {
  stockTotal: number;
  stockLeft: number;
  orders: { uuid: string; userId: number; orderNo: string }[];
  /** order_requests rows decided (SUCCESS / FAIL), by uuid. */
  decided: Map<string, string>;
}

/** The figures of one scenario: the table's row and what the checks compare. */
export interface ScenarioFigures {
  accepted: number;
  /** 202s whose order was sent after the fault began. */
  acceptedAfterFault: number;
  lost: number;
  oversold: number;
  duplicates: number;
  unresolved: number;
  /** 202s that ended FAIL (a reservation the stores could not honour). */
  failedAfter202: number;
  tryAgain: number;
  gaveUp: number;
  transportErrors: number;
  /** From the fault to the first 202 of an order sent after it; undefined if none came. */
  wentOnAfterMs?: number;
  /** From the fault to the first SUCCESS reaching a shopper whose order was sent after it. */
  firstOutcomeAfterMs?: number;
  /** Units still on sale when the fault began (202s answered by then subtracted from the stock). */
  unitsLeftAtFault?: number;
}

const n = (x: number) => x.toLocaleString('en-US');
const some = (xs: readonly string[]) => (xs.length ? ` (e.g. ${xs.slice(0, 3).join('; ')})` : '');

/** Every POST of a shopper: the retried 503s and the last attempt. */
function tryAgainCount(r: RequestRecord): number {
  return (r.retried?.length ?? 0) + (r.status === 503 && r.code === 'TRY_AGAIN' ? 1 : 0);
}

/**
 * The scenario's figures from the shoppers' records and PostgreSQL's end state. Pure, so each definition is
 * unit-tested:
 * - lost: a 202 nobody can answer for any more (no outcome reached the shopper and PostgreSQL decided nothing
 *   for it), or a SUCCESS a shopper was told whose order PostgreSQL does not have;
 * - oversold: orders beyond the item's stock;
 * - duplicates: a shopper with two orders, a request with two orders, or a shopper told SUCCESS twice;
 * - unresolved: a 202 whose outcome never reached its shopper (pushed or polled).
 */
export function computeScenarioFigures(records: readonly RequestRecord[], db: DbState, faultStartedAt: number | undefined): ScenarioFigures {
  const accepted = records.filter((r) => r.status === 202);
  const uuidOf = (r: RequestRecord) => r.uuid ?? r.requestId;
  const ordersByNo = new Map(db.orders.map((o) => [o.orderNo, o]));
  const lostIds = new Set<string>();
  for (const r of accepted) {
    if (!r.outcome && !db.decided.has(uuidOf(r))) lostIds.add(uuidOf(r));
    if (r.outcome?.status === 'SUCCESS' && ordersByNo.get(r.outcome.orderNo ?? '')?.userId !== r.userId) lostIds.add(uuidOf(r));
  }
  const perUser = new Map<number, number>();
  const perUuid = new Map<string, number>();
  for (const o of db.orders) {
    perUser.set(o.userId, (perUser.get(o.userId) ?? 0) + 1);
    perUuid.set(o.uuid, (perUuid.get(o.uuid) ?? 0) + 1);
  }
  const successUsers = new Map<number, Set<string>>();
  for (const r of accepted) {
    if (r.outcome?.status !== 'SUCCESS') continue;
    const set = successUsers.get(r.userId) ?? new Set<string>();
    set.add(r.outcome.orderNo ?? '');
    successUsers.set(r.userId, set);
  }
  const duplicates =
    [...perUser.values()].filter((c) => c > 1).length + [...perUuid.values()].filter((c) => c > 1).length + [...successUsers.values()].filter((s) => s.size > 1).length;

  const after = faultStartedAt === undefined ? [] : accepted.filter((r) => r.sentAt !== undefined && r.sentAt >= faultStartedAt);
  const firstAnswer = Math.min(...after.map((r) => r.answeredAt ?? Infinity));
  const firstOutcome = Math.min(...after.filter((r) => r.outcome?.status === 'SUCCESS').map((r) => r.outcome!.at));
  const acceptedBefore = faultStartedAt === undefined ? 0 : accepted.filter((r) => (r.answeredAt ?? Infinity) < faultStartedAt).length;

  return {
    accepted: accepted.length,
    acceptedAfterFault: after.length,
    lost: lostIds.size,
    oversold: Math.max(0, db.orders.length - db.stockTotal),
    duplicates,
    unresolved: accepted.filter((r) => !r.outcome).length,
    failedAfter202: accepted.filter((r) => r.outcome?.status === 'FAIL').length,
    tryAgain: records.reduce((s, r) => s + tryAgainCount(r), 0),
    gaveUp: records.filter((r) => r.gaveUp !== undefined).length,
    transportErrors: records.filter((r) => r.error !== undefined).length,
    ...(faultStartedAt !== undefined && Number.isFinite(firstAnswer) ? { wentOnAfterMs: firstAnswer - faultStartedAt } : {}),
    ...(faultStartedAt !== undefined && Number.isFinite(firstOutcome) ? { firstOutcomeAfterMs: firstOutcome - faultStartedAt } : {}),
    ...(faultStartedAt !== undefined ? { unitsLeftAtFault: Math.max(0, db.stockTotal - acceptedBefore) } : {}),
  };
}

/** The load tool's checks that are the lab's invariants; its other checks are reported as observations. */
export const REQUIRED_LOADTEST_CHECKS = [
  'every 202 got its outcome',
  'the 202 carries the client-chosen requestId as uuid',
  'no socket got two different outcomes',
  'the API agrees with every outcome the shoppers saw',
  'nobody bought twice',
  'every SUCCESS is an order in PostgreSQL and vice versa',
  'Redis = PostgreSQL',
];

export interface Judged {
  /** The invariants: one failing fails the scenario. */
  checks: Check[];
  /** What the load tool also checked, which a fault may legitimately break (shoppers who gave up…). */
  observations: Check[];
}

/**
 * The scenario's verdict: the lab's own invariants (lost, oversold, duplicates, the fault mid-sale, the sale
 * went on, the lab whole again) and the load tool's checks that say the same from its side.
 */
export function judge(f: ScenarioFigures, db: DbState, loadtestChecks: readonly Check[], extra: readonly Check[]): Judged {
  const checks: Check[] = [];
  const add = (name: string, ok: boolean, detail: string) => checks.push({ name, ok, detail });
  add(
    'the fault landed mid-sale',
    f.unitsLeftAtFault !== undefined && f.unitsLeftAtFault > 0,
    f.unitsLeftAtFault === undefined ? 'no fault was injected' : `${n(f.unitsLeftAtFault)} of ${n(db.stockTotal)} units not yet accepted when it began`,
  );
  add(
    'nothing lost',
    f.lost === 0,
    `${n(f.lost)} of ${n(f.accepted)} accepted orders lost (no outcome reached the shopper and PostgreSQL decided nothing by the end, or a SUCCESS PostgreSQL does not have)`,
  );
  const conserved = db.orders.length + db.stockLeft === db.stockTotal;
  add(
    'no oversell',
    f.oversold === 0 && conserved,
    `${n(db.orders.length)} orders for ${n(db.stockTotal)} units, stock_left ${n(db.stockLeft)}${conserved ? '' : ' (orders + stock_left ≠ stock_total)'}`,
  );
  add('no duplicates', f.duplicates === 0, `${n(f.duplicates)} shoppers or requests with two orders`);
  add('every 202 resolved', f.unresolved === 0, `${n(f.accepted - f.unresolved)} of ${n(f.accepted)} accepted orders got their outcome`);
  add(
    'the sale went on',
    f.wentOnAfterMs !== undefined,
    f.wentOnAfterMs === undefined
      ? 'no order sent after the fault began was accepted'
      : `${n(f.acceptedAfterFault)} orders sent after the fault accepted, the first ${(f.wentOnAfterMs / 1000).toFixed(1)} s after it began`,
  );
  const required = loadtestChecks.filter((c) => REQUIRED_LOADTEST_CHECKS.includes(c.name));
  const missing = REQUIRED_LOADTEST_CHECKS.filter((name) => !loadtestChecks.some((c) => c.name === name));
  for (const c of required) checks.push({ ...c, name: `load tool: ${c.name}` });
  if (missing.length) add('load tool: verification ran', false, `no result for ${missing.join(', ')}${some(loadtestChecks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`))}`);
  checks.push(...extra);
  return { checks, observations: loadtestChecks.filter((c) => !REQUIRED_LOADTEST_CHECKS.includes(c.name)) };
}
