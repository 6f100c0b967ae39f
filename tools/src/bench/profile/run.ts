import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ARTIFACTS } from '@seckill/testing';
import { log, type Sample } from '../measurement';
import type { BenchOptions } from '../options';
import { AcceptedOrders } from '../product/accepted';
import { ApiFixture } from '../product/api-fixture';
import { SoldOutFlood } from '../product/sold-out';
import { summariseProfile, type CpuProfile, type ProfileSummary } from './cpu-profile';

export interface ProfiledRun {
  label: string;
  /** The run's window on the monotonic clock (µs), to cut the same samples out of the .cpuprofile again. */
  fromUs: number;
  toUs: number;
  /** The figure measured while profiling (the profiler's own cost is in it). */
  value: number;
  summary: ProfileSummary;
}

export interface ProfileReport {
  file: string;
  runs: ProfiledRun[];
}

const nowUs = () => Number(process.hrtime.bigint() / 1000n);

/**
 * One order-api under `node --cpu-prof`, warmed up, then one sold-out flood and one accepted-orders sale.
 * The profile covers the whole life of the process; each run's window is cut out of it by time (the profile's
 * timestamps and process.hrtime() are the same monotonic clock), so boot and warm-up are not counted.
 */
export async function profileOrderApi(opts: BenchOptions, stamp: string): Promise<ProfileReport> {
  const dir = join(ARTIFACTS, 'bench', `profile-${stamp}`);
  mkdirSync(dir, { recursive: true });
  const api = await ApiFixture.start('bench-profile', opts.units, ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--require', join(__dirname, 'exit-on-sigterm.js')]);
  const windows: { label: string; fromUs: number; toUs: number; sample: Sample }[] = [];
  try {
    const soldOut = new SoldOutFlood(opts, () => api);
    const accepted = new AcceptedOrders(opts, () => api, false);
    await soldOut.setup();
    await soldOut.warmup();
    await accepted.warmup();
    for (const [label, bench] of [
      ['sold-out rejections', soldOut],
      ['accepted orders', accepted],
    ] as const) {
      const fromUs = nowUs();
      const sample = await bench.run(1);
      windows.push({ label, fromUs, toUs: nowUs(), sample });
    }
  } finally {
    await api.stop('SIGTERM');
  }
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`order-api wrote no .cpuprofile into ${dir}`);
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
  log(`profile: ${join(dir, file)}`);
  return {
    file: join(dir, file),
    runs: windows.map((w) => ({ label: w.label, fromUs: w.fromUs, toUs: w.toUs, value: w.sample.value, summary: summariseProfile(profile, { fromUs: w.fromUs, toUs: w.toUs }) })),
  };
}
