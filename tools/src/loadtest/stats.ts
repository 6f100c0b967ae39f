/** The arithmetic behind the figures: percentiles, histograms and rates over time. Pure, unit-tested. */

export interface Percentiles {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/**
 * Nearest-rank percentile of ascending `sorted`: the smallest value with at least p% of the values at or below
 * it. Always a value that was really measured, never an interpolation.
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  if (p <= 0) return sorted[0]!;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

export function percentiles(values: readonly number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1]! : NaN,
    mean: sorted.length ? sum / sorted.length : NaN,
  };
}

/** The smallest 1, 2 or 5 × 10^k that is ≥ `x` (axis steps and bucket widths people can read). */
export function niceStep(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) return 1;
  const exp = Math.floor(Math.log10(x));
  const base = 10 ** exp;
  for (const m of [1, 2, 5, 10]) if (m * base >= x * (1 - 1e-9)) return m * base;
  return 10 * base;
}

export interface Bucket {
  from: number;
  to: number;
  count: number;
}

export interface Histogram {
  width: number;
  buckets: Bucket[];
  /** Values at or above the last bucket's end (the far tail, summarised rather than squashing the rest). */
  overflow: number;
  overflowFrom: number;
}

/**
 * Equal-width buckets from 0 with a readable width, at most `maxBuckets` of them. The range ends at the
 * `clip` quantile (default 99.5 %) so one straggler does not squash the shape of everything else; what lies
 * beyond is counted in `overflow`.
 */
export function histogram(values: readonly number[], maxBuckets = 40, clip = 0.995): Histogram {
  if (values.length === 0) return { width: 1, buckets: [], overflow: 0, overflowFrom: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const top = Math.max(percentile(sorted, clip * 100), 1e-9);
  const width = niceStep(top / maxBuckets);
  let n = Math.min(maxBuckets, Math.floor(top / width) + 1);
  // A tail that fits in one more bucket gets that bucket rather than an overflow of its own.
  const max = sorted[sorted.length - 1]!;
  if (max >= n * width && max < (n + 1) * width && n < maxBuckets) n += 1;
  const buckets: Bucket[] = Array.from({ length: n }, (_, i) => ({ from: i * width, to: (i + 1) * width, count: 0 }));
  const end = n * width;
  let overflow = 0;
  for (const v of sorted) {
    if (v >= end) overflow++;
    else buckets[Math.max(0, Math.floor(v / width))]!.count++;
  }
  return { width, buckets, overflow, overflowFrom: end };
}

export interface Series {
  /** Bin width in ms. */
  binMs: number;
  /** Start of each bin, ms after time zero. */
  t: number[];
  /** Events per second in each bin. */
  perSecond: number[];
}

/** A bin width that gives at most `maxBins` bins over `spanMs` (never below 10 ms). */
export function binFor(spanMs: number, maxBins = 120): number {
  return Math.max(10, niceStep(spanMs / maxBins));
}

/** Events per second over time: `times` are ms after time zero; bins cover [0, spanMs). */
export function rateSeries(times: readonly number[], spanMs: number, binMs: number): Series {
  const n = Math.max(1, Math.ceil(spanMs / binMs));
  const counts = new Array<number>(n).fill(0);
  for (const t of times) {
    if (t < 0) continue;
    counts[Math.min(n - 1, Math.floor(t / binMs))]!++;
  }
  return { binMs, t: counts.map((_, i) => i * binMs), perSecond: counts.map((c) => (c * 1000) / binMs) };
}

/** Count per key, sorted by count descending then key. */
export function tally(keys: readonly string[]): [string, number][] {
  const m = new Map<string, number>();
  for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
  return [...m].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

export interface StackedHistogram {
  width: number;
  /** Lower edge of each bucket; the last bucket is [edges[n-1], edges[n-1] + width). */
  edges: number[];
  groups: { name: string; counts: number[]; overflow: number }[];
  overflowFrom: number;
}

/** One bucket layout (from all values together) counted per group, for stacked bars. */
export function stackedHistogram(groups: readonly { name: string; values: readonly number[] }[], maxBuckets = 40, clip = 0.995): StackedHistogram {
  const layout = histogram(
    groups.flatMap((g) => g.values),
    maxBuckets,
    clip,
  );
  const n = layout.buckets.length;
  return {
    width: layout.width,
    edges: layout.buckets.map((b) => b.from),
    overflowFrom: layout.overflowFrom,
    groups: groups.map((g) => {
      const counts = new Array<number>(n).fill(0);
      let overflow = 0;
      for (const v of g.values) {
        if (v >= layout.overflowFrom) overflow++;
        else counts[Math.max(0, Math.floor(v / layout.width))]!++;
      }
      return { name: g.name, counts, overflow };
    }),
  };
}

/** Math.min/max over arrays too long to spread into arguments safely (100,000 shoppers). */
export function minOf(values: readonly number[]): number {
  let m = Infinity;
  for (const v of values) if (v < m) m = v;
  return m;
}

export function maxOf(values: readonly number[]): number {
  let m = -Infinity;
  for (const v of values) if (v > m) m = v;
  return m;
}

/** About `count` readable tick values from 0 (or `min`) covering `max`. */
export function niceTicks(max: number, count = 5, min = 0): number[] {
  const span = max - min;
  if (!(span > 0)) return [min];
  const step = niceStep(span / count);
  const ticks: number[] = [];
  for (let v = Math.floor(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  if (ticks[ticks.length - 1]! < max) ticks.push(Number((ticks[ticks.length - 1]! + step).toPrecision(12)));
  return ticks;
}
