import { forEachFlag, UsageError } from '../cli/flags';
/**
 * The command line of `npm run fuzz`. Pure (no I/O), so it is unit-tested directly.
 */
export interface FuzzOptions {
  /** Requests to generate (shrinking a failure sends more). */
  runs: number;
  seed: number;
  /** Only routes whose `METHOD /path` contains this (case-insensitive). */
  route?: string;
  /** A running order-api; undefined: start an isolated product. */
  target?: string;
  /** With --target: where its state lives, for the no-state-change check (skipped without it). */
  databaseUrl?: string;
  redisUrl: string;
  redisKeyPrefix: string;
  jwtSecret?: string;
  adminUsername: string;
  adminPassword: string;
  /** Where the JSON summary goes (default artifacts/fuzz/fuzz-<timestamp>.json). */
  out?: string;
  /** Print the JSON summary on stdout instead of the table. */
  json: boolean;
  help: boolean;
}

export { UsageError };

export const DEFAULT_RUNS = 10_000;

export const HELP = `npm run fuzz [-- FLAGS]

Generates requests for every route of order-api's OpenAPI document (/docs-json), mutates them (wrong types, odd
numbers and unicode, nulls, arrays, __proto__ keys, truncated and invalid JSON, wrong content types, forged
tokens, odd path parameters and query strings) and checks every answer: no 5xx and no dropped connection, every
error body {statusCode, code, message} with a known code, and no state changed by a refused request.
See docs/security.md#fuzzing.

FLAGS
  --runs N              requests to generate (default ${DEFAULT_RUNS}; a failure's shrinking sends more)
  --seed S              fast-check seed (default: random; printed, so a run can be repeated)
  --route TEXT          only routes whose "METHOD /path" contains TEXT
  --target URL          fuzz a running order-api instead of starting an isolated one (loopback only;
                        run it with RATE_LIMITS=off)
  --database-url URL    with --target: its database, for the state check (skipped without it)
  --redis-url URL       with --target: its Redis (default redis://127.0.0.1:6379)
  --redis-prefix P      with --target: its REDIS_KEY_PREFIX (default seckill:)
  --jwt-secret S        with --target: its JWT_SECRET, to forge near-valid tokens (default $JWT_SECRET or the
                        development secret)
  --admin-user U        with --target: the admin to log in as (default admin)
  --admin-password P    with --target: (default admin)
  --out PATH            where the JSON summary goes (default artifacts/fuzz/fuzz-<timestamp>.json)
  --json                print the JSON summary instead of the table
  --help                this text

Exit code: 0 nothing found, 1 a finding (or the run failed), 2 bad flags.
`;

export function parseOptions(argv: readonly string[], env: Record<string, string | undefined> = {}): FuzzOptions {
  const o: FuzzOptions = {
    runs: DEFAULT_RUNS,
    seed: Math.floor(Math.random() * 0x7fffffff),
    redisUrl: 'redis://127.0.0.1:6379',
    redisKeyPrefix: 'seckill:',
    adminUsername: 'admin',
    adminPassword: 'admin',
    json: false,
    help: false,
  };
  if (argv.includes('--help') || argv.includes('-h')) return { ...o, help: true };
  const given = forEachFlag(argv, ({ name, value, int, noValue }) => {
    switch (name) {
      case 'runs':
        o.runs = int(1, 10_000_000);
        break;
      case 'seed':
        o.seed = int(0, 0x7fffffff);
        break;
      case 'route':
        o.route = value();
        break;
      case 'target': {
        const v = value();
        let url: URL;
        try {
          url = new URL(v);
        } catch {
          throw new UsageError(`--target "${v}" is not a URL`);
        }
        if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) throw new UsageError(`--target ${v} is not loopback: fuzzing sends hostile traffic, only to a product of your own`);
        o.target = v.replace(/\/$/, '');
        break;
      }
      case 'database-url':
        o.databaseUrl = value();
        break;
      case 'redis-url':
        o.redisUrl = value();
        break;
      case 'redis-prefix':
        o.redisKeyPrefix = value();
        break;
      case 'jwt-secret':
        o.jwtSecret = value();
        break;
      case 'admin-user':
        o.adminUsername = value();
        break;
      case 'admin-password':
        o.adminPassword = value();
        break;
      case 'out':
        o.out = value();
        break;
      case 'json':
        noValue();
        o.json = true;
        break;
      default:
        throw new UsageError(`unknown flag --${name} (see --help)`);
    }
  });
  const targetOnly = ['database-url', 'redis-url', 'redis-prefix', 'jwt-secret', 'admin-user', 'admin-password'].filter((f) => given.has(f));
  if (!o.target && targetOnly.length > 0) throw new UsageError(`--${targetOnly[0]} applies only with --target`);
  if (o.target && o.jwtSecret === undefined && env.JWT_SECRET) o.jwtSecret = env.JWT_SECRET;
  return o;
}
