import { forEachFlag, UsageError } from '../cli/flags';
/**
 * The command line of `npm run lab`. Pure (the scenario names are a parameter), so it is unit-tested.
 */
export interface LabOptions {
  /** Scenario names to run, in the suite's order; empty: all. */
  only: string[];
  /** Leave the lab up after the scenarios, until Ctrl-C. */
  keep: boolean;
  shoppers: number;
  stock: number;
  /** The shoppers' arrivals are spread evenly over this long. */
  rampSeconds: number;
  /** How long an outage lasts (a partition after it is noticed, a killed node down, a host cut off). */
  holdSeconds: number;
  /** Further attempts, same requestId, after a 503 TRY_AGAIN. */
  retries: number;
  /** Per scenario: after this the shoppers stop and the scenario is judged on what it has. */
  timeoutSeconds: number;
  /** Rewrite the results block of docs/scale-out.md (a full run only). */
  writeDocs: boolean;
  /** Where the logs and results go; undefined: artifacts/lab/<timestamp>/. */
  out?: string;
  list: boolean;
  /** Only remove what a lab left on this machine, then exit. */
  down: boolean;
  help: boolean;
}

export { UsageError };

export const DEFAULTS: Omit<LabOptions, 'only'> = {
  keep: false,
  shoppers: 2_000,
  stock: 300,
  rampSeconds: 30,
  holdSeconds: 10,
  retries: 20,
  timeoutSeconds: 240,
  writeDocs: false,
  list: false,
  down: false,
  help: false,
};

export const HELP = `npm run lab [-- FLAGS]          (as root, on Linux)

A multi-host lab on this machine: every server and product process on a host of its own (a Linux network
namespace on one bridge, ${'10.77.0.0/24'}): three RabbitMQ nodes in one cluster, a Redis Cluster of three masters
with a replica each, PostgreSQL, and two each of order-api, order-worker and websocket-notifier. In it, one
flash sale per fault scenario through the load tool, the fault injected mid-sale (Jepsen-style): then lost,
oversold, duplicates, unresolved 202s, Redis = PostgreSQL and the time until the sale went on. Everything is
torn down at the end, on failure and on Ctrl-C; a leftover of a crashed run is removed at the next start.
See docs/scale-out.md.

FLAGS
  --scenario NAME[,NAME…]  run only these scenarios (see --list)
  --keep                   leave the lab up after the scenarios until Ctrl-C (addresses are printed)
  --shoppers N             shoppers per scenario, one order each (default ${DEFAULTS.shoppers})
  --stock N                units on sale per scenario (default ${DEFAULTS.stock})
  --ramp-seconds S         arrivals spread evenly over S seconds (default ${DEFAULTS.rampSeconds})
  --hold-seconds S         how long an outage lasts (default ${DEFAULTS.holdSeconds})
  --retries N              a shopper answered 503 TRY_AGAIN posts the same requestId again up to N times (default ${DEFAULTS.retries})
  --timeout-seconds S      limit per scenario (default ${DEFAULTS.timeoutSeconds})
  --write-docs             after a full run, rewrite the results block of docs/scale-out.md
  --out DIR                logs and results there (default artifacts/lab/<timestamp>/)
  --list                   list the scenarios, then exit
  --down                   only remove what a lab left on this machine (namespaces, bridge, processes), then exit
  --help                   this text

Exit code: 0 every invariant of every scenario held, 1 one did not (or the lab failed), 2 bad flags or a
missing precondition, 130 interrupted (Ctrl-C), 143 terminated (SIGTERM).
`;

export function parseOptions(argv: readonly string[], scenarios: readonly string[]): LabOptions {
  const o: LabOptions = { ...DEFAULTS, only: [] };
  if (argv.includes('--help') || argv.includes('-h')) return { ...o, help: true };
  const given = forEachFlag(argv, (flag) => {
    switch (flag.name) {
      case 'scenario': {
        const names = flag.value().split(',').map((s) => s.trim()).filter(Boolean);
        const unknown = names.filter((s) => !scenarios.includes(s));
        if (unknown.length > 0) throw new UsageError(`unknown scenario ${unknown.join(', ')} (known: ${scenarios.join(', ')})`);
        if (new Set(names).size !== names.length) throw new UsageError('--scenario names a scenario twice');
        if (names.length === 0) throw new UsageError('--scenario needs at least one name');
        o.only = scenarios.filter((s) => names.includes(s));
        break;
      }
      case 'shoppers':
        o.shoppers = flag.int(10, 20_000);
        break;
      case 'stock':
        o.stock = flag.int(5, 100_000);
        break;
      case 'ramp-seconds':
        o.rampSeconds = flag.int(1, 600);
        break;
      case 'hold-seconds':
        o.holdSeconds = flag.int(0, 600);
        break;
      case 'retries':
        o.retries = flag.int(0, 20);
        break;
      case 'timeout-seconds':
        o.timeoutSeconds = flag.int(30, 3600);
        break;
      case 'out':
        o.out = flag.value();
        break;
      case 'keep':
      case 'write-docs':
      case 'list':
      case 'down':
        flag.noValue();
        if (flag.name === 'keep') o.keep = true;
        else if (flag.name === 'write-docs') o.writeDocs = true;
        else if (flag.name === 'list') o.list = true;
        else o.down = true;
        break;
      default:
        throw new UsageError(`unknown flag --${flag.name} (see --help)`);
    }
  });
  if (o.writeDocs && o.only.length > 0) throw new UsageError('--write-docs records a full run; it cannot be combined with --scenario');
  if (o.stock > o.shoppers) throw new UsageError(`--stock ${o.stock} exceeds --shoppers ${o.shoppers}: the demand must cover the stock for the sale to sell out`);
  if (o.down && given.size > 1) throw new UsageError('--down takes no other flag');
  return o;
}
