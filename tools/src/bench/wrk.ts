import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { wrkScript, type WrkScriptOptions } from './wrk-script';

/** What one wrk run reports (the `BENCH_RESULT` line printed by the generated script's done()). */
export interface WrkResult {
  /** wrk's own run time: the whole -d duration for `rotate` runs. */
  durationUs: number;
  requests: number;
  /** Tokens handed to the threads (each used once in a `once` run). */
  tokens: number;
  /** Order answers counted by the script (fillers excluded). */
  answered: number;
  /** First request sent and last answer received, CLOCK_MONOTONIC µs. */
  firstUs: number;
  lastUs: number;
  /** The last 2xx answer (0: none), same clock: a sale's last unit sold. */
  last2xxUs: number;
  errors: { connect: number; read: number; write: number; status: number; timeout: number };
  latencyUs: { min: number; mean: number; p50: number; p90: number; p99: number; p999?: number; max: number };
  /** Answers by HTTP status. */
  codes: Record<string, number>;
}

const RESULT_PREFIX = 'BENCH_RESULT ';

/** Reads the script's result line out of wrk's whole output. Pure; throws when the line is missing. */
export function parseWrkOutput(output: string): WrkResult {
  const line = output.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
  if (!line) throw new Error(`wrk printed no ${RESULT_PREFIX.trim()} line:\n${output.slice(-2000)}`);
  const r = JSON.parse(line.slice(RESULT_PREFIX.length)) as WrkResult;
  for (const key of ['durationUs', 'requests', 'answered', 'firstUs', 'lastUs'] as const) {
    if (typeof r[key] !== 'number' || !Number.isFinite(r[key])) throw new Error(`wrk result lacks ${key}`);
  }
  // results saved before the script recorded it
  r.last2xxUs ??= 0;
  return r;
}

/** wrk's plain `Requests/sec:` line (a cross-check; it counts fillers and every status). Pure. */
export function parseRequestsPerSec(output: string): number | undefined {
  const m = /^Requests\/sec:\s+([\d.]+)/m.exec(output);
  return m ? Number(m[1]) : undefined;
}

/** Seconds over which a run's answers arrived: first request to last answer (`once`), else wrk's duration. */
export function spanSeconds(r: WrkResult, mode: 'rotate' | 'once'): number {
  if (mode === 'once' && r.firstUs > 0 && r.lastUs > r.firstUs) return (r.lastUs - r.firstUs) / 1e6;
  return r.durationUs / 1e6;
}

/** Seconds from the first request to the last 2xx answer (NaN when no request was answered 2xx). Pure. */
export function secondsToLast2xx(r: WrkResult): number {
  return r.firstUs > 0 && r.last2xxUs >= r.firstUs ? (r.last2xxUs - r.firstUs) / 1e6 : Number.NaN;
}

/** Answers per second with the given statuses (all answers when none given). */
export function ratePerSec(r: WrkResult, mode: 'rotate' | 'once', statuses?: readonly number[]): number {
  const count = statuses ? statuses.reduce((sum, s) => sum + (r.codes[String(s)] ?? 0), 0) : r.answered;
  const span = spanSeconds(r, mode);
  return span > 0 ? count / span : Number.NaN;
}

export interface WrkRunOptions extends Omit<WrkScriptOptions, 'path'> {
  /** e.g. http://127.0.0.1:3000 */
  baseUrl: string;
  path?: string;
  connections: number;
  /** `rotate`: how long to run. `once`: the upper bound (the run normally ends when every token is answered). */
  durationSec: number;
  timeoutSec?: number;
}

/**
 * The flood both the bare-Fastify ceiling and the sold-out measurement send: distinct shoppers' tokens
 * round-robin at one item for `durationSec`, so the two figures compare like with like.
 */
export function rotatingFlood(
  target: Pick<WrkRunOptions, 'baseUrl' | 'tokensFile' | 'itemId' | 'maxTokens' | 'itemCount'>,
  load: Pick<WrkRunOptions, 'threads' | 'connections'>,
  durationSec: number,
): WrkRunOptions {
  return { ...target, mode: 'rotate', requestId: false, threads: load.threads, connections: load.connections, durationSec };
}

export interface WrkRun {
  result: WrkResult;
  output: string;
  /** True when a `once` run ended before every token was answered (a stalled thread, or the time bound). */
  truncated: boolean;
}

/** Runs wrk against loopback with a generated script; resolves with the parsed result. */
export async function runWrk(o: WrkRunOptions): Promise<WrkRun> {
  const url = new URL(o.baseUrl);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) throw new Error('the bench sends load to loopback only');
  const dir = mkdtempSync(join(tmpdir(), 'seckill-bench-wrk-'));
  const script = join(dir, 'bench.lua');
  const path = o.path ?? '/api/seckill/orders';
  writeFileSync(script, wrkScript({ ...o, path }));
  const args = ['-t', String(o.threads), '-c', String(o.connections), '-d', `${o.durationSec}s`, '--timeout', `${o.timeoutSec ?? 30}s`, '-s', script, url.origin + '/'];
  try {
    return await new Promise<WrkRun>((resolve, reject) => {
      const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      let errors = '';
      let threadsDone = 0;
      let stalled = false;
      let interrupted = false;
      child.stdout.on('data', (chunk: Buffer) => {
        const text = chunk.toString();
        output += text;
        if (!text.includes('\n')) return;
        // whole lines only: a chunk may end in the middle of one
        const done = output.split('\n').slice(0, -1).filter((l) => l.startsWith('BENCH_THREAD_DONE'));
        threadsDone = done.length;
        stalled = done.some((l) => l.endsWith('stalled'));
        if (o.mode === 'once' && !interrupted && threadsDone >= o.threads) {
          interrupted = true;
          child.kill('SIGINT'); // wrk stops its threads, prints its summary and runs done()
        }
      });
      child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
      child.once('error', (err) => reject(new Error(`could not run wrk (${err.message}); run scripts/ensure-wrk.sh`)));
      child.once('close', (code) => {
        if (code !== 0 && !output.includes(RESULT_PREFIX)) return reject(new Error(`wrk exited with ${code}:\n${(output + errors).slice(-2000)}`));
        try {
          resolve({ result: parseWrkOutput(output + errors), output: output + errors, truncated: o.mode === 'once' && (stalled || !interrupted) });
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      });
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
