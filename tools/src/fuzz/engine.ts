import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { caseArbitrary, familiesOf, REFUSED_FAMILIES, type Family, type FuzzCase, type Targets } from './cases';
import { judge, type FindingKind, type Outcome } from './judge';
import type { Route } from './openapi';

/** A finding with the smallest request fast-check could shrink it to, and how to replay it. */
export interface Finding {
  route: string;
  family: Family;
  kind: FindingKind;
  detail: string;
  mutation: string;
  reproducer: { method: string; path: string; headers: Record<string, string>; body?: string };
  /** fast-check's seed and counterexample path for this route and family (replay: fc.check(…, {seed, path})). */
  seed: number;
  path: string;
  shrinks: number;
  /** Answers with this finding's signature, this one included (later ones are counted, not shrunk again). */
  occurrences: number;
  /** Every route it was seen on. */
  routes: string[];
}

/**
 * What makes two findings the same bug: a broken error body is the same wherever it happens (the framework answers
 * before any route); a 5xx, an accepted refusal or a reset belongs to its route and family (the code path).
 */
export function signatureOf(route: string, family: Family, kind: FindingKind, detail: string): string {
  if (kind === 'error body') return `${kind}|${detail.replace(/(not JSON|not an object):.*$/s, '$1').slice(0, 80)}`;
  return `${route}|${family}|${kind}|${detail.slice(0, 3)}`;
}

export interface RouteStats {
  route: string;
  sent: number;
  byStatus: Record<string, number>;
  findings: number;
}

/** One planned property run: a route, a family and how many requests to generate for it. */
export interface PlanItem {
  route: Route;
  family: Family;
  runs: number;
}

/**
 * Spreads `runs` requests evenly over every (route, family) pair, refused families first: those run before the
 * lenient ones so the "no state changed" check sees only requests that had to be refused.
 */
export function plan(routes: readonly Route[], runs: number): { refused: PlanItem[]; lenient: PlanItem[] } {
  const pairs = routes.flatMap((route) => familiesOf(route).map((family) => ({ route, family })));
  const ordered = [...pairs.filter((p) => REFUSED_FAMILIES.includes(p.family)), ...pairs.filter((p) => !REFUSED_FAMILIES.includes(p.family))];
  const base = Math.floor(runs / ordered.length);
  const extra = runs % ordered.length;
  const items = ordered.map((p, i) => ({ ...p, runs: base + (i < extra ? 1 : 0) })).filter((p) => p.runs > 0);
  return { refused: items.filter((p) => REFUSED_FAMILIES.includes(p.family)), lenient: items.filter((p) => !REFUSED_FAMILIES.includes(p.family)) };
}

/** The seed of one (route, family) pair: derived from the run's seed, so --route replays a pair with the same seed. */
export function pairSeed(seed: number, route: string, family: Family): number {
  return createHash('sha256').update(`${seed}|${route}|${family}`).digest().readUInt32BE(0) & 0x7fffffff;
}

/** A property failure that carries the judged finding (fast-check keeps the error of the shrunk counterexample). */
class FindingError extends Error {
  constructor(
    readonly kind: FindingKind,
    readonly detail: string,
  ) {
    super(`${kind}: ${detail}`);
  }
}

export type Send = (c: FuzzCase) => Promise<Outcome>;

/** A guard: distinct findings of one pair beyond this are not shrunk (the budget is better spent elsewhere). */
const MAX_FINDINGS_PER_PAIR = 5;

/**
 * Runs one plan item as fast-check properties. After a finding (shrunk to a minimal reproducer), the remaining
 * budget runs again under the next seed, so one bug does not end the search on that route; answers matching a
 * finding already made (`known`, shared by the whole run) are counted on it and do not stop the search.
 */
export async function runItem(
  item: PlanItem,
  targets: Targets,
  seed: number,
  send: Send,
  stats: RouteStats,
  onAccepted: (c: FuzzCase, status: number) => void,
  known: Map<string, Finding> = new Map(),
): Promise<Finding[]> {
  const arb = caseArbitrary(item.route, item.family, targets);
  const findings: Finding[] = [];
  let remaining = item.runs;
  let attempt = 0;
  while (remaining > 0 && findings.length < MAX_FINDINGS_PER_PAIR) {
    const property = fc.asyncProperty(arb, async (c) => {
      const outcome = await send(c);
      stats.sent += 1;
      const key = outcome.status === undefined ? 'no answer' : String(outcome.status);
      stats.byStatus[key] = (stats.byStatus[key] ?? 0) + 1;
      if (outcome.status !== undefined && outcome.status < 300) onAccepted(c, outcome.status);
      const verdict = judge(outcome, c.mustRefuse);
      if (!verdict) return;
      // A bug already shrunk is counted, not searched again: the budget goes on finding new ones.
      const same = known.get(signatureOf(item.route.id, item.family, verdict.kind, verdict.detail));
      if (same) {
        same.occurrences += 1;
        if (!same.routes.includes(item.route.id)) same.routes.push(item.route.id);
        return;
      }
      throw new FindingError(verdict.kind, verdict.detail);
    });
    const s = pairSeed(seed, item.route.id, item.family) + attempt;
    const details = await fc.check(property, { seed: s, numRuns: remaining });
    attempt += 1;
    if (!details.failed) break;
    const c = details.counterexample?.[0];
    const err = details.errorInstance;
    if (!c || !(err instanceof FindingError)) throw err instanceof Error ? err : new Error(`fuzzing ${item.route.id} (${item.family}) failed: ${String(err)}`);
    const finding: Finding = {
      route: item.route.id,
      family: item.family,
      kind: err.kind,
      detail: err.detail,
      mutation: c.mutation,
      reproducer: { method: c.method, path: c.path, headers: c.headers, ...(c.body !== undefined ? { body: c.body } : {}) },
      seed: s,
      path: details.counterexamplePath ?? '',
      shrinks: details.numShrinks,
      occurrences: 1,
      routes: [item.route.id],
    };
    findings.push(finding);
    known.set(signatureOf(item.route.id, item.family, err.kind, err.detail), finding);
    stats.findings += 1;
    // numRuns counts the runs up to and including the failing one; what shrinking sent is on top of the budget.
    remaining -= Math.max(details.numRuns, 1);
  }
  return findings;
}
