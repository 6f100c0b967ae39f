/** The arithmetic of the waiting-room figures: peak request rate and ETA accuracy. Pure, unit-tested. */
import { percentile } from './stats';

export interface Peak {
  /** Requests in the busiest window of `windowMs` (per second for the 1-s window). */
  count: number;
  /** Where that window starts, in ms after `t0`. */
  atMs: number;
  /** Every request counted. */
  total: number;
}

/**
 * The most events that fall in one window [t, t + windowMs), over every possible t. A busiest window can always be
 * slid right until it starts at an event, so trying the windows that start at each event finds it: two pointers
 * over the sorted times, O(n log n).
 */
export function peakRate(times: readonly number[], t0 = 0, windowMs = 1000): Peak {
  const sorted = Float64Array.from(times).sort();
  let best = 0;
  let at = 0;
  let end = 0;
  for (let start = 0; start < sorted.length; start++) {
    while (end < sorted.length && sorted[end]! < sorted[start]! + windowMs) end++;
    if (end - start > best) {
      best = end - start;
      at = sorted[start]! - t0;
    }
  }
  return { count: best, atMs: at, total: sorted.length };
}

/** One shopper's promise and what came of it: epoch ms, and the wait it was told at join. */
export interface EtaSample {
  /** When the join's ticket was read (the promise is "admitted `etaSeconds` from now"). */
  joinedAt: number;
  etaSeconds: number;
  admittedAt: number;
}

export interface EtaAccuracy {
  count: number;
  /** |actual − predicted admission time|, ms. */
  medianAbsErrorMs: number;
  p90AbsErrorMs: number;
  /** Median of actual − predicted: > 0 admitted later than promised, < 0 earlier. */
  medianSignedErrorMs: number;
  /** Share (0..1) of shoppers admitted within ±`tolerance` of the wait they were promised. */
  withinShare: number;
  tolerance: number;
}

/**
 * How well the room's ETA at join predicted the admission. Predicted admission = join time + etaSeconds; the error
 * is actual − predicted. "Within ±20 %" compares the error with the promised wait itself (a shopper told 10 s is
 * within it when admitted after 8–12 s), so a promise of 0 s holds only if kept to the millisecond.
 */
export function etaAccuracy(samples: readonly EtaSample[], tolerance = 0.2): EtaAccuracy {
  const signed = samples.map((s) => s.admittedAt - (s.joinedAt + s.etaSeconds * 1000));
  const abs = signed.map(Math.abs).sort((a, b) => a - b);
  const within = samples.filter((s, i) => Math.abs(signed[i]!) <= tolerance * s.etaSeconds * 1000).length;
  return {
    count: samples.length,
    medianAbsErrorMs: percentile(abs, 50),
    p90AbsErrorMs: percentile(abs, 90),
    medianSignedErrorMs: percentile(
      [...signed].sort((a, b) => a - b),
      50,
    ),
    withinShare: samples.length ? within / samples.length : NaN,
    tolerance,
  };
}
