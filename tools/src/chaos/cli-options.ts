import { forEachFlag, UsageError } from '../cli/flags';
/**
 * The command line of `npm run chaos`. Pure (the scenario names are a parameter), so it is unit-tested.
 */
export interface ChaosOptions {
  /** Scenario names to run, in the suite's order; empty: all. */
  only: string[];
  list: boolean;
  /** Rewrite the results table in docs/reliability.md (a full run only). */
  writeDocs: boolean;
  /** Where the JSON goes; undefined: artifacts/chaos/chaos-<timestamp>.json. */
  out?: string;
  help: boolean;
}

export { UsageError };

export const HELP = `npm run chaos [-- FLAGS]

Runs flash sales while breaking what the product depends on (RabbitMQ, Redis, PostgreSQL, its own processes),
on private servers it starts itself (never the shared ones), checks that nothing was lost, oversold, promised
and then refused, or left stranded, and prints a table. See docs/reliability.md.

FLAGS
  --only NAME[,NAME…]   run only these scenarios (see --list)
  --list                list the scenarios and what each proves, then exit
  --write-docs          after a full run, rewrite the results table in docs/reliability.md
  --out PATH            write the JSON results there (default artifacts/chaos/chaos-<timestamp>.json)
  --help                this text

Exit code: 0 every check of every scenario held, 1 one did not, 2 bad flags, 130 interrupted (Ctrl-C).
`;

export function parseOptions(argv: readonly string[], scenarios: readonly string[]): ChaosOptions {
  const o: ChaosOptions = { only: [], list: false, writeDocs: false, help: false };
  if (argv.includes('--help') || argv.includes('-h')) return { ...o, help: true };
  forEachFlag(argv, ({ name, value, noValue }) => {
    switch (name) {
      case 'only': {
        const names = value().split(',').map((s) => s.trim()).filter(Boolean);
        const unknown = names.filter((s) => !scenarios.includes(s));
        if (unknown.length > 0) throw new UsageError(`unknown scenario ${unknown.join(', ')} (known: ${scenarios.join(', ')})`);
        if (new Set(names).size !== names.length) throw new UsageError('--only names a scenario twice');
        if (names.length === 0) throw new UsageError('--only needs at least one scenario');
        // The suite's order, whatever order they were named in, so two runs of the same set read alike.
        o.only = scenarios.filter((s) => names.includes(s));
        break;
      }
      case 'list':
        noValue();
        o.list = true;
        break;
      case 'write-docs':
        noValue();
        o.writeDocs = true;
        break;
      case 'out':
        o.out = value();
        break;
      default:
        throw new UsageError(`unknown flag --${name} (see --help)`);
    }
  });
  if (o.writeDocs && o.only.length > 0) throw new UsageError('--write-docs records a full run; it cannot be combined with --only');
  return o;
}
