import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/**
 * Who used the CPU during a measurement, read from /proc (Linux). On a 2-core box shared with other people's
 * test runs this is what tells a slow figure caused by the code from one caused by a neighbour: every
 * measurement records the cores used by the process under test, the load generator, Redis, RabbitMQ,
 * PostgreSQL, the bench itself, and everything else on the machine.
 */

export interface PidTicks {
  /** utime + stime of the process itself. */
  own: number;
  /** cutime + cstime: CPU of children this process has waited for (wrk, once it exited). */
  children: number;
}

/** Parses /proc/<pid>/stat (the command name may hold spaces and parentheses). Pure. */
export function parsePidStat(text: string): PidTicks {
  const fields = text.slice(text.lastIndexOf(')') + 2).trim().split(/\s+/);
  // fields[0] is field 3 (state); utime, stime, cutime, cstime are fields 14..17.
  const at = (n: number) => Number(fields[n - 3]);
  return { own: at(14) + at(15), children: at(16) + at(17) };
}

/** Parses the aggregate `cpu` line of /proc/stat into busy and total ticks. Pure. */
export function parseMachineStat(text: string): { busy: number; total: number } {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) throw new Error('no cpu line in /proc/stat');
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number) as number[];
  const busy = user! + nice! + system! + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0);
  return { busy, total: busy + idle! + (iowait ?? 0) };
}

function pidTicks(pid: number): PidTicks | null {
  try {
    return parsePidStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null; // exited
  }
}

/** Resident memory of a process in KiB (VmRSS from /proc/<pid>/status). */
export function rssKiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(line?.replace(/\D+/g, '') ?? 0);
}

/** Pids whose command name (/proc/<pid>/comm) starts with the prefix: redis-server, beam.smp, postgres. */
export function pidsByName(prefix: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').startsWith(prefix)) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

export interface CpuUsage {
  seconds: number;
  /** Cores used on average per component (1.0 = one core busy the whole window). */
  cores: Record<string, number>;
  /** The whole machine, and what is left for processes outside the bench (other people's runs). */
  machine: number;
  others: number;
  machineCores: number;
}

/**
 * One measurement window. `groups` names the processes to account for (their pids are read at start);
 * `wrk` (or any child that exits inside the window) is accounted through this process's children's ticks.
 */
export class CpuWindow {
  private readonly start: { at: number; machine: { busy: number; total: number }; self: PidTicks; groups: Map<string, Map<number, number>> };

  /**
   * `groups`: fixed pids, or `{ name }` for every process whose command starts with that name (looked up at
   * start and again at stop, so a PostgreSQL backend opened inside the window is counted in full).
   */
  constructor(
    private readonly groups: Record<string, readonly number[] | { name: string }>,
    private readonly childLabel = 'wrk',
  ) {
    const self = pidTicks(process.pid) ?? { own: 0, children: 0 };
    const machine = parseMachineStat(readFileSync('/proc/stat', 'utf8'));
    const g = new Map<string, Map<number, number>>();
    for (const [name, spec] of Object.entries(groups)) {
      const pids = 'name' in spec ? pidsByName(spec.name) : spec;
      g.set(name, new Map(pids.map((p) => [p, pidTicks(p)?.own ?? 0])));
    }
    this.start = { at: performance.now(), machine, self, groups: g };
  }

  stop(): CpuUsage {
    const hz = ticksPerSecond();
    const seconds = (performance.now() - this.start.at) / 1000;
    const machineNow = parseMachineStat(readFileSync('/proc/stat', 'utf8'));
    const selfNow = pidTicks(process.pid) ?? this.start.self;
    const cores: Record<string, number> = {};
    const perSec = (ticks: number) => (seconds > 0 ? ticks / hz / seconds : 0);
    for (const [name, pids] of this.start.groups) {
      let ticks = 0;
      for (const [pid, before] of pids) ticks += Math.max(0, (pidTicks(pid)?.own ?? before) - before);
      const spec = this.groups[name]!;
      if ('name' in spec) for (const pid of pidsByName(spec.name)) if (!pids.has(pid)) ticks += pidTicks(pid)?.own ?? 0;
      cores[name] = perSec(ticks);
    }
    cores.bench = perSec(selfNow.own - this.start.self.own);
    const childTicks = selfNow.children - this.start.self.children;
    if (childTicks > 0) cores[this.childLabel] = perSec(childTicks);
    const machineCores = cpus().length;
    const dBusy = machineNow.busy - this.start.machine.busy;
    const dTotal = machineNow.total - this.start.machine.total;
    const machine = dTotal > 0 ? (dBusy / dTotal) * machineCores : 0;
    const accounted = Object.values(cores).reduce((a, b) => a + b, 0);
    return { seconds, cores, machine, others: Math.max(0, machine - accounted), machineCores };
  }
}

/** The shared servers' processes, by command name (all PostgreSQL backends count: they are one server). */
export const SERVERS = { redis: { name: 'redis-server' }, rabbitmq: { name: 'beam.smp' }, postgres: { name: 'postgres' } } as const;

/** "order-api 0.98, wrk 0.41, redis 0.20, … others 0.05 (machine 1.9/2)". Pure. */
export function describeCpu(u: CpuUsage): string {
  const parts = Object.entries(u.cores)
    .filter(([, c]) => c >= 0.01)
    .sort((a, b) => b[1] - a[1])
    .map(([name, c]) => `${name} ${c.toFixed(2)}`);
  return `${parts.join(', ')}, others ${u.others.toFixed(2)} (machine ${u.machine.toFixed(1)}/${u.machineCores} cores)`;
}

/**
 * Waits (up to `maxSeconds`) for a second in which the whole machine used less than `threshold` cores: run
 * before every measurement, while the bench's own processes are idle, so that a neighbour's test run is
 * less likely to overlap it. Returns how long it waited and the last second's load.
 */
export async function waitForQuiet(maxSeconds: number, threshold = 0.25): Promise<{ waitedSeconds: number; busyCores: number; quiet: boolean }> {
  const started = performance.now();
  let busyCores = 0;
  do {
    const before = parseMachineStat(readFileSync('/proc/stat', 'utf8'));
    await new Promise((r) => setTimeout(r, 1000));
    const after = parseMachineStat(readFileSync('/proc/stat', 'utf8'));
    const total = after.total - before.total;
    busyCores = total > 0 ? ((after.busy - before.busy) / total) * cpus().length : 0;
    if (busyCores < threshold) return { waitedSeconds: (performance.now() - started) / 1000, busyCores, quiet: true };
  } while (performance.now() - started < maxSeconds * 1000);
  return { waitedSeconds: (performance.now() - started) / 1000, busyCores, quiet: false };
}
