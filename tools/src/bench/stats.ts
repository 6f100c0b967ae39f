/** Small statistics for repeated measurements on a noisy machine. Pure. */

/** Linear-interpolated percentile (p in 0..100) of the values; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  if (p < 0 || p > 100) throw new RangeError(`percentile ${p} outside 0..100`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

export interface Summary {
  /** How many repetitions. */
  n: number;
  /** The least disturbed repetition: the highest figure for a throughput, the lowest for a cost. */
  best: number;
  median: number;
  min: number;
  max: number;
  /** (max - min) / median, in percent: how noisy the repetitions were. */
  spreadPct: number;
}

/**
 * Summarises the repetitions of one measurement. On a shared machine other processes only ever slow a run
 * down, so the best repetition is the closest to what the code can do; the spread says how much to trust it.
 */
export function summarise(samples: readonly number[], better: 'higher' | 'lower' = 'higher'): Summary {
  const finite = samples.filter((s) => Number.isFinite(s));
  if (finite.length === 0) return { n: 0, best: Number.NaN, median: Number.NaN, min: Number.NaN, max: Number.NaN, spreadPct: Number.NaN };
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  const med = median(finite);
  return {
    n: finite.length,
    best: better === 'higher' ? max : min,
    median: med,
    min,
    max,
    spreadPct: med === 0 ? 0 : ((max - min) / med) * 100,
  };
}
