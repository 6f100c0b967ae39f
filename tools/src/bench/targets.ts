/** The issue's targets as data, and how a measured figure is judged against its ceiling. Pure. */

export interface Ceiling {
  id: string;
  label: string;
  /** Operations per second (best repetition). */
  value: number;
}

export interface TargetSpec {
  id: string;
  label: string;
  /** The product's figure (operations per second, best repetition). */
  measured: number;
  ceiling: Ceiling;
  /** The ratio measured / ceiling must reach at least this. */
  minRatio: number;
}

export interface TargetRow extends TargetSpec {
  ratio: number;
  met: boolean;
}

export function evaluate(spec: TargetSpec): TargetRow {
  const ratio = spec.ceiling.value > 0 ? spec.measured / spec.ceiling.value : Number.NaN;
  return { ...spec, ratio, met: Number.isFinite(ratio) && ratio >= spec.minRatio };
}

/** The smallest ceiling of those in a path (the accepted-order path: Fastify, Redis Lua, RabbitMQ publish). */
export function smallest(ceilings: readonly Ceiling[]): Ceiling {
  if (ceilings.length === 0) throw new Error('no ceilings to choose from');
  return ceilings.reduce((min, c) => (c.value < min.value ? c : min));
}

/** measured / ceiling per repetition round, for rounds where both exist (a ratio that ran side by side). */
export function pairedRatios(measured: readonly number[], ceiling: readonly number[]): number[] {
  const n = Math.min(measured.length, ceiling.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (ceiling[i]! > 0 && Number.isFinite(measured[i]!)) out.push(measured[i]! / ceiling[i]!);
  return out;
}

/** A target that is a bound on the figure itself, not a ratio to a ceiling ("sell-out time ≤ 0.5 s"). */
export interface LimitSpec {
  id: string;
  label: string;
  /** The figure (best repetition), in `unit`. */
  measured: number;
  /** The bound, in `unit`; `at most` unless `atLeast`. */
  limit: number;
  unit: 's' | 'ms' | '/s';
  atLeast?: boolean;
}

export interface LimitRow extends LimitSpec {
  met: boolean;
}

export function evaluateLimit(spec: LimitSpec): LimitRow {
  const met = Number.isFinite(spec.measured) && (spec.atLeast ? spec.measured >= spec.limit : spec.measured <= spec.limit);
  return { ...spec, met };
}

/** The sell-out run's targets: the 1,000th unit sold within 0.5 s of the first request, order p99 within 150 ms. */
export const SELL_OUT_LIMITS = {
  sellOutSeconds: { label: 'sell-out time', limit: 0.5, unit: 's' },
  p99Ms: { label: 'order p99 during the sale', limit: 150, unit: 'ms' },
} as const;

/** "≤ 0.5 s", "≤ 150 ms", "≥ 1,000/s". Pure. */
export function describeLimit(spec: Pick<LimitSpec, 'limit' | 'unit' | 'atLeast'>): string {
  const n = spec.limit.toLocaleString('en-US');
  return `${spec.atLeast ? '≥' : '≤'} ${spec.unit === '/s' ? `${n}/s` : `${n} ${spec.unit}`}`;
}
