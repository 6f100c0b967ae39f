/** `npm run bench -- [flags]`: the flags, their defaults and their bounds. Pure. */

export const MEASUREMENTS = [
  'fastify',
  'redis',
  'rabbitmq',
  'postgres',
  'sold-out',
  'room-join',
  'accepted',
  'accepted-request-id',
  'worker',
  'sockets',
  'login-flood',
  'sell-out',
  'scaling',
  'profile',
] as const;
export type MeasurementId = (typeof MEASUREMENTS)[number];

export interface BenchOptions {
  /** Every throughput measurement runs this many times, interleaved (round 1: all, round 2: all, …). */
  rounds: number;
  /** Seconds per duration-bound run (wrk floods, the in-process ceilings). */
  durationSec: number;
  /** wrk: threads and open connections. */
  threads: number;
  connections: number;
  /** In-process ceilings (Redis, RabbitMQ): calls in flight at once. */
  concurrency: number;
  /** PostgreSQL baseline: concurrent connections, each doing one order per transaction. */
  pgConnections: number;
  /** Accepted orders: units on sale per round, one distinct shopper per unit. */
  units: number;
  /** Worker: orders preloaded into the pending queue per round. */
  workerOrders: number;
  /** Notifier: idle sockets held. */
  sockets: number;
  /** Sell-out: distinct shoppers (each posts once), units on sale, wrk connections, seconds of the sold-out flood after. */
  selloutShoppers: number;
  selloutUnits: number;
  selloutConnections: number;
  selloutFloodSec: number;
  /** Scaling: live sale items and distinct shoppers per row, units of each row's sale, seconds of each flood. */
  scalingItems: number[];
  scalingShoppers: number[];
  scalingUnits: number;
  scalingWindowSec: number;
  /** Scaling: passes over all its rows; each figure is the best of them. */
  scalingPasses: number;
  /** Before each measurement, wait up to this many seconds for a quiet machine (0: never wait). */
  waitQuietSec: number;
  only: MeasurementId[];
  writeDocs: boolean;
  /** Measure nothing: print (and with --write-docs, write) the tables of a saved artifacts/bench/*.json. */
  report?: string;
  help: boolean;
}

export const DEFAULTS: BenchOptions = {
  rounds: 3,
  durationSec: 5,
  threads: 1,
  connections: 128,
  concurrency: 256,
  pgConnections: 8,
  units: 50_000,
  workerOrders: 20_000,
  sockets: 10_000,
  selloutShoppers: 20_000,
  selloutUnits: 1_000,
  selloutConnections: 256,
  selloutFloodSec: 10,
  scalingItems: [1, 100, 10_000],
  scalingShoppers: [1_000, 10_000, 100_000],
  scalingUnits: 10_000,
  scalingWindowSec: 3,
  scalingPasses: 1,
  waitQuietSec: 20,
  only: [...MEASUREMENTS],
  writeDocs: false,
  help: false,
};

/** A smoke run: every measurement, small and short (figures not for the docs). */
export const QUICK: Partial<BenchOptions> = {
  rounds: 1,
  durationSec: 2,
  units: 5_000,
  workerOrders: 3_000,
  sockets: 1_000,
  selloutShoppers: 5_000,
  selloutFloodSec: 2,
  scalingItems: [1, 100, 1_000],
  scalingShoppers: [1_000, 10_000],
  scalingUnits: 2_000,
  scalingWindowSec: 2,
  waitQuietSec: 0,
};

const BOUNDS: Record<string, [keyof BenchOptions, number, number]> = {
  '--rounds': ['rounds', 1, 10],
  '--duration': ['durationSec', 1, 60],
  '--threads': ['threads', 1, 8],
  '--connections': ['connections', 1, 2_000],
  '--concurrency': ['concurrency', 1, 10_000],
  '--pg-connections': ['pgConnections', 1, 64],
  '--units': ['units', 1_000, 500_000],
  '--worker-orders': ['workerOrders', 1_000, 200_000],
  '--sockets': ['sockets', 100, 15_000],
  '--sellout-shoppers': ['selloutShoppers', 1_000, 200_000],
  '--sellout-units': ['selloutUnits', 1, 100_000],
  '--sellout-connections': ['selloutConnections', 1, 2_000],
  '--sellout-flood': ['selloutFloodSec', 1, 60],
  '--scaling-units': ['scalingUnits', 100, 100_000],
  '--scaling-window': ['scalingWindowSec', 1, 30],
  '--scaling-passes': ['scalingPasses', 1, 5],
  '--wait-quiet': ['waitQuietSec', 0, 600],
};

/** Flags that take a comma-separated list of integers. */
const LISTS: Record<string, [keyof BenchOptions, number, number]> = {
  '--scaling-items': ['scalingItems', 1, 20_000],
  '--scaling-shoppers': ['scalingShoppers', 100, 200_000],
};

const formatList = (ns: readonly number[]) => ns.join(',');

export const USAGE = `npm run bench -- [flags]

Measures the ceilings of the machine and the product side by side (loopback only, isolated test
environments, bounded in time) and prints the ratios against the targets of docs/benchmarks.md.

  --rounds N          repetitions of every throughput measurement, interleaved (default ${DEFAULTS.rounds})
  --duration S        seconds per duration-bound run (default ${DEFAULTS.durationSec})
  --threads N         wrk threads (default ${DEFAULTS.threads})
  --connections N     wrk connections (default ${DEFAULTS.connections})
  --concurrency N     calls in flight for the Redis and RabbitMQ ceilings (default ${DEFAULTS.concurrency})
  --pg-connections N  connections for the PostgreSQL one-order-per-transaction baseline (default ${DEFAULTS.pgConnections})
  --units N           units (and distinct shoppers) of each accepted-orders sale (default ${DEFAULTS.units})
  --worker-orders N   orders preloaded for the worker per round (default ${DEFAULTS.workerOrders})
  --sockets N         idle sockets held by one notifier (default ${DEFAULTS.sockets})
  --sellout-shoppers N  sell-out: distinct shoppers, each posting once (default ${DEFAULTS.selloutShoppers})
  --sellout-units N     sell-out: units of the item on sale (default ${DEFAULTS.selloutUnits})
  --sellout-connections N  sell-out: wrk connections (default ${DEFAULTS.selloutConnections})
  --sellout-flood S     sell-out: seconds of the sold-out flood after the sale (default ${DEFAULTS.selloutFloodSec})
  --scaling-items a,b,…     scaling: live sale items per row (default ${formatList(DEFAULTS.scalingItems)})
  --scaling-shoppers a,b,…  scaling: distinct shoppers per row (default ${formatList(DEFAULTS.scalingShoppers)})
  --scaling-units N     scaling: units of each row's sale; the item rows use as many shoppers (default ${DEFAULTS.scalingUnits})
  --scaling-window S    scaling: seconds of each row's sold-out flood (default ${DEFAULTS.scalingWindowSec})
  --scaling-passes N    scaling: passes over all its rows, each figure the best of them (default ${DEFAULTS.scalingPasses})
  --wait-quiet S      before each measurement wait up to S s for the machine to be idle (default ${DEFAULTS.waitQuietSec}; 0: never)
  --only a,b,…        run only these: ${MEASUREMENTS.join(', ')}
  --quick             a smoke run: ${Object.entries(QUICK)
  .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`)
  .join(', ')}
  --write-docs        rewrite the generated tables in docs/benchmarks.md
  --report FILE       measure nothing: print the tables of a saved artifacts/bench/bench-*.json
                      (with --write-docs: put them into docs/benchmarks.md)
  --help`;

export function parseArgs(argv: readonly string[]): BenchOptions {
  const opts: BenchOptions = { ...DEFAULTS, only: [...DEFAULTS.only], scalingItems: [...DEFAULTS.scalingItems], scalingShoppers: [...DEFAULTS.scalingShoppers] };
  if (argv.includes('--quick')) Object.assign(opts, QUICK);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') continue;
    if (arg === '--quick') continue;
    if (arg === '--write-docs') {
      opts.writeDocs = true;
      continue;
    }
    if (arg === '--help' || arg === '-h') {
      opts.help = true;
      continue;
    }
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--report') {
      opts.report = value;
      continue;
    }
    if (flag === '--only') {
      const ids = value.split(',').map((s) => s.trim()).filter(Boolean);
      const unknown = ids.filter((id) => !(MEASUREMENTS as readonly string[]).includes(id));
      if (unknown.length > 0 || ids.length === 0) throw new Error(`--only: unknown measurement ${unknown.join(', ') || '(none)'}; choose from ${MEASUREMENTS.join(', ')}`);
      opts.only = ids as MeasurementId[];
      continue;
    }
    const list = LISTS[flag];
    if (list) {
      const [key, min, max] = list;
      const ns = value.split(',').map((s) => Number(s.trim().replace(/_/g, '')));
      if (ns.length === 0 || ns.some((n) => !Number.isSafeInteger(n) || n < min || n > max)) throw new Error(`${flag} must be a comma-separated list of integers from ${min} to ${max}, got ${value}`);
      (opts as unknown as Record<string, number[]>)[key] = [...new Set(ns)];
      continue;
    }
    const bound = BOUNDS[flag];
    if (!bound) throw new Error(`unknown flag ${flag}\n\n${USAGE}`);
    const [key, min, max] = bound;
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new Error(`${flag} must be an integer from ${min} to ${max}, got ${value}`);
    (opts as unknown as Record<string, number>)[key] = n;
  }
  return opts;
}
