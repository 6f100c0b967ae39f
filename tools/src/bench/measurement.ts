import type { CpuUsage } from './cpu';
import type { MeasurementId } from './options';
import { summarise, type Summary } from './stats';

/** One repetition of a measurement. */
export interface Sample {
  /** Operations per second (or bytes, for memory). */
  value: number;
  cpu?: CpuUsage;
  /** Anything worth keeping in the JSON: counts by status, latencies, run times. */
  detail?: Record<string, unknown>;
}

export interface Measured {
  id: MeasurementId;
  label: string;
  unit: '/s' | 'bytes';
  better: 'higher' | 'lower';
  /** How it was measured, in one sentence (printed under the table and kept in the JSON). */
  method: string;
  samples: Sample[];
  summary: Summary;
}

export function measured(id: MeasurementId, label: string, method: string, samples: Sample[], unit: Measured['unit'] = '/s'): Measured {
  const better = unit === '/s' ? 'higher' : 'lower';
  return { id, label, unit, better, method, samples, summary: summarise(samples.map((s) => s.value), better) };
}

/** Progress lines on stderr, so stdout carries only the result table. */
export function log(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

/**
 * Keeps `concurrency` calls in flight until `durationMs` has passed: each call starts as soon as the previous
 * one on its lane finished. Returns how many completed and over how long.
 */
export async function flood(concurrency: number, durationMs: number, call: (i: number) => Promise<void>): Promise<{ count: number; seconds: number }> {
  let next = 0;
  let count = 0;
  const started = performance.now();
  const deadline = started + durationMs;
  const lane = async () => {
    while (performance.now() < deadline) {
      await call(next++);
      count++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return { count, seconds: (performance.now() - started) / 1000 };
}

/** Runs `call(0)` … `call(total - 1)` with `concurrency` calls in flight. */
export async function floodCount(concurrency: number, total: number, call: (i: number) => Promise<void>): Promise<{ seconds: number }> {
  let next = 0;
  const started = performance.now();
  const lane = async () => {
    while (next < total) await call(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, lane));
  return { seconds: (performance.now() - started) / 1000 };
}
