import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { percentile } from '../stats';

/**
 * `node dist/tools/src/loadtest/trace/timeline.js DIR`: the timeline of one traced burst (see preload.ts), every
 * time in ms after t0, the first order on the wire. For each step: how many, when the first, the median, the
 * 99th percentile and the last happened; for timed steps their own duration; for every process its event-loop
 * stalls (a 20 ms timer more than 100 ms late) during the burst.
 */

export type Event = [number, string, unknown?, unknown?, unknown?];

export interface Proc {
  role: string;
  pid: string;
  events: Event[];
}

/** Steps in the order a winning order goes through them; anything else recorded follows. */
const STEPS: [string, string][] = [
  ['client sent', 'clients: order on the wire'],
  ['http:req', 'order-api: request parsed'],
  ['token', 'order-api: token checked'],
  ['place:in', 'order-api: handler entered'],
  ['limits:in', 'order-api: shared limits asked'],
  ['reserve:in', 'order-api: Redis reserve asked'],
  ['reserve RESERVED', 'order-api: reserve answered RESERVED'],
  ['reserve SOLD_OUT', 'order-api: reserve answered SOLD_OUT'],
  ['publish:in order-api', 'order-api: publish sent'],
  ['publish order-api', 'order-api: publish confirmed'],
  ['markQueued', 'order-api: marked QUEUED'],
  ['http:res 202', 'order-api: 202 written'],
  ['http:res 409', 'order-api: 409 written'],
  ['http:res 503', 'order-api: 503 written'],
  ['client 202', 'clients: 202 read'],
  ['client 409', 'clients: 409 read'],
  ['client 503', 'clients: 503 read'],
  ['deliver', 'order-worker: message delivered'],
  ['batch:in', 'order-worker: batch started'],
  ['batch', 'order-worker: batch done'],
  ['publish order-worker', 'order-worker: outcome published'],
  ['push', 'notifier: order.result sent'],
  ['client pushed', 'clients: order.result read'],
];

export function readTrace(dir: string): Proc[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .map((f) => {
      const m = /^(.*)-(\d+)\.jsonl$/.exec(f);
      const lines = readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean);
      return { role: m?.[1] ?? f, pid: m?.[2] ?? '', events: lines.map((l) => JSON.parse(l) as Event) };
    })
    .sort((a, b) => a.role.localeCompare(b.role) || a.pid.localeCompare(b.pid));
}

/** Times (epoch ms) and durations of every step, over every process. */
export function stepsOf(procs: Proc[]): Map<string, { at: number[]; took: number[] }> {
  const steps = new Map<string, { at: number[]; took: number[] }>();
  const add = (key: string, at: number, took?: unknown) => {
    let s = steps.get(key);
    if (!s) steps.set(key, (s = { at: [], took: [] }));
    s.at.push(at);
    if (typeof took === 'number') s.took.push(took);
  };
  for (const p of procs) {
    for (const [at, kind, value, detail, extra] of p.events) {
      if (kind === 'loop') continue;
      if (kind === 'client') {
        if (at > 0) add('client sent', at);
        if (typeof detail === 'number') add(`client ${String(value)}`, detail);
        if (typeof extra === 'number') add('client pushed', extra);
      } else if (kind === 'http:res') add(`http:res ${String(value)}`, at);
      else if (kind === 'reserve') add(`reserve ${String(detail)}`, at, value);
      else if (kind === 'publish' || kind === 'publish:in') add(`${kind} ${p.role}`, at, value);
      else add(kind, at, kind.endsWith(':in') || kind === 'batch:in' ? undefined : value);
    }
  }
  return steps;
}

export function formatTimeline(procs: Proc[]): string {
  const steps = stepsOf(procs);
  const sent = steps.get('client sent')?.at ?? [];
  if (sent.length === 0) return 'no client records in this trace (did the run reach the fire instant?)';
  const t0 = sent.reduce((a, b) => Math.min(a, b));
  const rel = (v: number | undefined) => (v === undefined ? '–' : String(Math.round(v - t0)));
  const num = (v: number | undefined) => (v === undefined ? '–' : String(Math.round(v * 10) / 10));
  const out: string[] = ['ms after t0 (the first order on the wire)       n    first      p50      p99     last   took p50   took p99'];
  const keys = [...STEPS.map(([k]) => k), ...[...steps.keys()].filter((k) => !STEPS.some(([s]) => s === k)).sort()];
  for (const key of keys) {
    const s = steps.get(key);
    if (!s) continue;
    const label = STEPS.find(([k]) => k === key)?.[1] ?? key;
    const at = [...s.at].sort((a, b) => a - b);
    const took = [...s.took].sort((a, b) => a - b);
    out.push(
      `${label.padEnd(40)} ${String(at.length).padStart(6)} ${[at[0], percentile(at, 50), percentile(at, 99), at[at.length - 1]].map((v) => rel(v).padStart(8)).join(' ')} ` +
        `${took.length ? [percentile(took, 50), percentile(took, 99)].map((v) => num(v).padStart(10)).join(' ') : ''}`,
    );
  }
  const end = [...steps.values()].reduce((a, s) => s.at.reduce((b, t) => Math.max(b, t), a), t0);
  out.push('', 'event-loop stalls during the burst (a 20 ms timer >100 ms late; from..to ms after t0) and busy share');
  for (const p of procs) {
    const loop = p.events.filter((e) => e[1] === 'loop' && e[0] >= t0 - 500 && e[0] <= end + 500);
    if (loop.length === 0) continue;
    const stalls = loop.filter((e) => (e[2] as number) > 100).map((e) => `${rel(e[0] - (e[2] as number) - 20)}..${rel(e[0])}`);
    const busy = loop.reduce((a, e) => a + (e[3] as number) * ((e[2] as number) + 20), 0) / loop.reduce((a, e) => a + (e[2] as number) + 20, 0);
    out.push(`${`${p.role} ${p.pid}`.padEnd(30)} busy ${String(Math.round(busy)).padStart(3)}%  ${stalls.length ? stalls.join(' ') : 'no stall'}`);
  }
  return out.join('\n');
}

if (require.main === module) {
  const dir = process.argv[2];
  if (!dir) {
    process.stderr.write('usage: node dist/tools/src/loadtest/trace/timeline.js TRACE_DIR\n');
    process.exit(2);
  }
  process.stdout.write(`${formatTimeline(readTrace(dir))}\n`);
}
