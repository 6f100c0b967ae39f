import { UsageError } from '../cli/flags';
import { defaultJoinSeconds } from './room-plan';
/**
 * The command line of `npm run loadtest`: every flag, its default and its bounds in one table, so `--help`,
 * the parser and docs/loadtest.md cannot drift apart. Pure: no I/O, so it is unit-tested directly.
 */

export type Pattern = 'burst' | 'ramp';

export interface LoadtestOptions {
  shoppers: number;
  stock: number;
  pattern: Pattern;
  rampSeconds: number;
  timeoutSeconds: number;
  /** order-api base URLs of a running system; empty: start an isolated system of our own. */
  targets: string[];
  /** websocket-notifier base URLs (ws://) of that running system. */
  notifierUrls: string[];
  allowRemote: boolean;
  apis: number;
  notifiers: number;
  workers: number;
  /** 0: decided from the per-process file limit (see clientProcessesFor). */
  clientProcesses: number;
  /** 0: one pre-opened connection per shopper; N: a shared keep-alive pool of N connections. */
  httpConnections: number;
  openConcurrency: number;
  pollIntervalMs: number;
  /** Further attempts, same requestId, after a 503 TRY_AGAIN (0: none). */
  retries: number;
  /** The sale again with a waiting room (issue 15), after the same sale without one unless `baseline` is off. */
  room: boolean;
  /** The room's admitPerSecond. */
  roomRate: number;
  /** How long before the start the room opens (its pre-queue, where every joiner gets a random place); see defaultPreQueueSeconds. */
  preQueueSeconds: number;
  /** Over how long the shoppers join, from the room's opening; undefined: half the pre-queue (room-plan.ts). */
  joinSeconds?: number;
  /** With --room: run the sale without the room first, for the comparison (--no-baseline skips it). */
  baseline: boolean;
  /** undefined: artifacts/loadtest/report-<timestamp>.html */
  report?: string;
  appLogLevel: string;
  progress: boolean;
  help: boolean;
}

export { UsageError };

type Kind = 'int' | 'number' | 'string' | 'bool' | 'urls' | 'pattern' | 'level';

interface Flag {
  name: string;
  key: keyof LoadtestOptions;
  kind: Kind;
  arg?: string;
  min?: number;
  max?: number;
  /** Only meaningful when the tool starts its own system. */
  selfHostedOnly?: boolean;
  /** Only meaningful with --room. */
  roomOnly?: boolean;
  help: string;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export const DEFAULTS: LoadtestOptions = {
  shoppers: 20_000,
  stock: 1_000,
  pattern: 'burst',
  rampSeconds: 5,
  timeoutSeconds: 180,
  targets: [],
  notifierUrls: [],
  allowRemote: false,
  apis: 2,
  notifiers: 2,
  workers: 1,
  clientProcesses: 0,
  httpConnections: 0,
  openConcurrency: 512,
  pollIntervalMs: 500,
  retries: 5,
  room: false,
  roomRate: 200,
  preQueueSeconds: 5,
  joinSeconds: undefined,
  baseline: true,
  report: undefined,
  appLogLevel: 'info',
  progress: true,
  help: false,
};

export const FLAGS: readonly Flag[] = [
  { name: 'shoppers', key: 'shoppers', kind: 'int', arg: 'N', min: 1, max: 100_000, help: 'shoppers, each places one order (default 20000)' },
  { name: 'stock', key: 'stock', kind: 'int', arg: 'N', min: 1, max: 1_000_000, help: 'units on sale (default 1000)' },
  { name: 'pattern', key: 'pattern', kind: 'pattern', arg: 'burst|ramp', help: 'burst: every order at the same instant; ramp: spread evenly over --ramp-seconds (default burst)' },
  { name: 'ramp-seconds', key: 'rampSeconds', kind: 'number', arg: 'S', min: 0.1, max: 600, help: 'length of the ramp (default 5; only with --pattern ramp)' },
  { name: 'timeout-seconds', key: 'timeoutSeconds', kind: 'number', arg: 'S', min: 5, max: 3600, help: 'limit on the system\'s start and on each sale (two with --room): after it the run stops, verifies and reports what it has (default 180)' },
  { name: 'target', key: 'targets', kind: 'urls', arg: 'URL[,URL…]', help: 'order-api of a running system (http://); requests are spread over the list. Unset: self-hosted' },
  { name: 'notifier', key: 'notifierUrls', kind: 'urls', arg: 'URL[,URL…]', help: 'websocket-notifier(s) of that system (ws://); required with --target' },
  { name: 'allow-remote', key: 'allowRemote', kind: 'bool', help: 'permit --target/--notifier hosts other than loopback' },
  { name: 'apis', key: 'apis', kind: 'int', arg: 'N', min: 1, max: 8, selfHostedOnly: true, help: 'order-api instances to start (default 2)' },
  { name: 'notifiers', key: 'notifiers', kind: 'int', arg: 'N', min: 1, max: 8, selfHostedOnly: true, help: 'websocket-notifier instances to start; sockets are spread over them (default 2)' },
  { name: 'workers', key: 'workers', kind: 'int', arg: 'N', min: 1, max: 4, selfHostedOnly: true, help: 'order-worker instances to start (default 1)' },
  { name: 'client-processes', key: 'clientProcesses', kind: 'int', arg: 'N', min: 1, max: 32, help: 'child processes holding the shoppers\' connections (default: enough for the per-process file limit)' },
  { name: 'http-connections', key: 'httpConnections', kind: 'int', arg: 'N', min: 0, max: 100_000, help: '0: one connection per shopper, opened before the sale like a loaded page (default); N: a shared keep-alive pool of N, as behind a proxy' },
  { name: 'open-concurrency', key: 'openConcurrency', kind: 'int', arg: 'N', min: 1, max: 10_000, help: 'connections being opened at once during preparation, all client processes together (default 512)' },
  { name: 'poll-interval-ms', key: 'pollIntervalMs', kind: 'int', arg: 'MS', min: 50, max: 60_000, help: 'polling period of GET /api/seckill/orders/:uuid when a socket dropped (default 500)' },
  { name: 'retries', key: 'retries', kind: 'int', arg: 'N', min: 0, max: 20, help: 'a shopper answered 503 TRY_AGAIN posts the same requestId again, up to N more times, after Retry-After or a backoff of 100 ms doubling to 2 s, ±25 % (default 5)' },
  { name: 'room', key: 'room', kind: 'bool', help: 'the sale twice, same shoppers and stock, a fresh item each: first without a waiting room, then with one; reports both side by side (see docs/loadtest.md)' },
  { name: 'room-rate', key: 'roomRate', kind: 'int', arg: 'N', min: 1, max: 100_000, roomOnly: true, help: 'the room admits N shoppers per second (admitPerSecond; default 200)' },
  { name: 'pre-queue-seconds', key: 'preQueueSeconds', kind: 'int', arg: 'S', min: 0, max: 600, roomOnly: true, help: 'the room opens S s before the start; whoever joins in it gets a random place (default 5, or 1 per 1,000 shoppers when more; 0: the item is live, arrival order)' },
  { name: 'join-seconds', key: 'joinSeconds', kind: 'number', arg: 'S', min: 0, max: 600, roomOnly: true, help: 'the shoppers join evenly spread over S s from the room\'s opening (default: half the pre-queue; 0: all at once)' },
  { name: 'no-baseline', key: 'baseline', kind: 'bool', roomOnly: true, help: 'with --room: skip the run without the room (no comparison)' },
  { name: 'report', key: 'report', kind: 'string', arg: 'PATH', help: 'HTML report path; the JSON goes next to it (default artifacts/loadtest/report-<timestamp>.html)' },
  { name: 'app-log-level', key: 'appLogLevel', kind: 'level', arg: 'LEVEL', selfHostedOnly: true, help: 'LOG_LEVEL of the started processes; logs land in artifacts/logs/ (default info)' },
  { name: 'no-progress', key: 'progress', kind: 'bool', help: 'no live progress on stderr' },
  { name: 'help', key: 'help', kind: 'bool', help: 'this text' },
];

export const HELP = `npm run loadtest [-- FLAGS]

A flash sale, reproducibly: creates a sale through the admin API, prepares N shoppers, opens each shopper's
WebSocket on a client-chosen requestId, fires every order, waits for every outcome, checks the invariants
through the API, Redis and PostgreSQL, prints a summary and writes an HTML report (+ JSON) of the figures.

Without --target it starts its own isolated system on loopback (a fresh database, RabbitMQ vhost and Redis key
prefix; ${DEFAULTS.apis} order-api, ${DEFAULTS.workers} order-worker and ${DEFAULTS.notifiers} websocket-notifier processes) and removes it at the end.
With --target/--notifier it loads a system that is already running (e.g. \`npm start\`).

OPERATOR TOOL: shoppers are inserted straight into PostgreSQL and their access tokens are minted with the
JWT secret, so in --target mode it needs DATABASE_URL, JWT_SECRET, REDIS_URL and REDIS_KEY_PREFIX (and
ADMIN_USERNAME / ADMIN_PASSWORD) of that system in its environment, with the same defaults as the apps.
It leaves the sale, its orders and its loadtest-* shoppers in that system's database.

Traffic goes to loopback only unless --allow-remote. Exit code: 0 all invariants hold, 1 one failed (or the
run timed out), 2 bad flags.

FLAGS
${FLAGS.map((f) => `  --${f.name}${f.arg ? ` ${f.arg}` : ''}`.padEnd(34) + f.help).join('\n')}

EXAMPLES
  npm run loadtest                                   20,000 shoppers, 1,000 units, all at once
  npm run loadtest -- --shoppers 5000 --stock 100 --pattern ramp --ramp-seconds 10
  npm run loadtest -- --room --shoppers 5000 --stock 200
                                                     the same sale without, then through a waiting room (200/s, 5 s pre-queue)
  npm run loadtest -- --target http://127.0.0.1:3000 --notifier ws://127.0.0.1:8085 --shoppers 2000 --stock 50
`;

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

export function isLoopback(url: string): boolean {
  return LOOPBACK.test(new URL(url).hostname);
}

/** Parses `argv` (without node and the script); throws UsageError with a message naming the flag. */
export function parseOptions(argv: readonly string[]): LoadtestOptions {
  const o: LoadtestOptions = { ...DEFAULTS, targets: [], notifierUrls: [] };
  // Asking for help never fails, whatever else is on the line.
  if (argv.includes('--help') || argv.includes('-h')) return { ...o, help: true };
  const given = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (!token.startsWith('--')) throw new UsageError(`unexpected argument "${token}" (flags start with --; see --help)`);
    const eq = token.indexOf('=');
    const name = token.slice(2, eq === -1 ? undefined : eq);
    const flag = FLAGS.find((f) => f.name === name);
    if (!flag) throw new UsageError(`unknown flag --${name} (see --help)`);
    if (given.has(name)) throw new UsageError(`--${name} given twice`);
    given.add(name);
    if (flag.kind === 'bool') {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`);
      // --no-progress is the one negative flag: it clears what it names.
      (o as unknown as Record<string, unknown>)[flag.key] = !name.startsWith('no-');
      continue;
    }
    let value: string | undefined;
    if (eq !== -1) value = token.slice(eq + 1);
    else {
      value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value (${flag.arg})`);
      i++;
    }
    (o as unknown as Record<string, unknown>)[flag.key] = convert(flag, value);
  }

  const selfHosted = o.targets.length === 0;
  if (!selfHosted && o.notifierUrls.length === 0) throw new UsageError('--target needs --notifier (the ws:// URL of its websocket-notifier)');
  if (selfHosted && o.notifierUrls.length > 0) throw new UsageError('--notifier is only used with --target');
  if (!selfHosted) {
    const misplaced = FLAGS.filter((f) => f.selfHostedOnly && given.has(f.name)).map((f) => `--${f.name}`);
    if (misplaced.length > 0) throw new UsageError(`${misplaced.join(', ')} only apply when the tool starts its own system (no --target)`);
  }
  for (const url of o.targets) requireProtocol('--target', url, ['http:', 'https:']);
  for (const url of o.notifierUrls) requireProtocol('--notifier', url, ['ws:', 'wss:']);
  if (!o.allowRemote) {
    const remote = [...o.targets, ...o.notifierUrls].filter((u) => !isLoopback(u));
    if (remote.length > 0) throw new UsageError(`${remote.join(', ')} is not loopback; add --allow-remote if you really mean to load another host`);
  }
  if (given.has('ramp-seconds') && o.pattern !== 'ramp') throw new UsageError('--ramp-seconds only applies to --pattern ramp');
  if (!given.has('pre-queue-seconds')) o.preQueueSeconds = defaultPreQueueSeconds(o.shoppers);
  if (!o.room) {
    const misplaced = FLAGS.filter((f) => f.roomOnly && given.has(f.name)).map((f) => `--${f.name}`);
    if (misplaced.length > 0) throw new UsageError(`${misplaced.join(', ')} only apply with --room`);
  }
  if (o.room && o.preQueueSeconds + (o.joinSeconds ?? defaultJoinSeconds(o.preQueueSeconds)) >= o.timeoutSeconds) {
    throw new UsageError(`--timeout-seconds ${o.timeoutSeconds} leaves no time for the sale after the pre-queue and the joins`);
  }
  if (o.httpConnections > o.shoppers) throw new UsageError(`--http-connections ${o.httpConnections} exceeds --shoppers ${o.shoppers}`);
  return o;
}

/**
 * 5 s, or one second per 1,000 shoppers when that is more: with the joins spread over half the pre-queue they then
 * come at 2,000/s at most, which order-api answers on this 2-core machine before the start (a default run's 20,000
 * joins in 2.5 s were mostly answered after it).
 */
export function defaultPreQueueSeconds(shoppers: number): number {
  return Math.max(DEFAULTS.preQueueSeconds, Math.ceil(shoppers / 1000));
}

function convert(flag: Flag, value: string): unknown {
  const name = `--${flag.name}`;
  switch (flag.kind) {
    case 'int':
    case 'number': {
      const n = Number(value.replace(/_/g, ''));
      if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${name} must be a number, got "${value}"`);
      if (flag.kind === 'int' && !Number.isInteger(n)) throw new UsageError(`${name} must be a whole number, got "${value}"`);
      if (n < flag.min! || n > flag.max!) throw new UsageError(`${name} must be between ${flag.min} and ${flag.max}, got ${n}`);
      return n;
    }
    case 'pattern':
      if (value !== 'burst' && value !== 'ramp') throw new UsageError(`${name} must be burst or ramp, got "${value}"`);
      return value;
    case 'level':
      if (!LOG_LEVELS.includes(value)) throw new UsageError(`${name} must be one of ${LOG_LEVELS.join(', ')}, got "${value}"`);
      return value;
    case 'urls': {
      const urls = value.split(',').map((u) => u.trim()).filter((u) => u !== '');
      if (urls.length === 0) throw new UsageError(`${name} needs at least one URL`);
      for (const u of urls) {
        try {
          new URL(u);
        } catch {
          throw new UsageError(`${name}: "${u}" is not a URL`);
        }
      }
      return urls.map((u) => u.replace(/\/+$/, ''));
    }
    case 'string':
      if (value === '') throw new UsageError(`${name} needs a value`);
      return value;
    case 'bool':
      throw new UsageError(`${name} takes no value`);
  }
}

function requireProtocol(flag: string, url: string, protocols: string[]): void {
  const p = new URL(url).protocol;
  if (!protocols.includes(p)) throw new UsageError(`${flag} ${url}: must start with ${protocols.map((x) => `${x}//`).join(' or ')}`);
}

/** Open files one shopper costs a client process: its WebSocket, plus its HTTP connection unless pooled. */
export function fdsPerShopper(o: Pick<LoadtestOptions, 'httpConnections'>): number {
  return o.httpConnections === 0 ? 2 : 1;
}

/**
 * Enough client processes that none holds more than 60% of its open-file limit (the rest is headroom for the
 * polling pool, pipes and node itself), and at least two so the load generator can use both cores.
 */
export function clientProcessesFor(o: Pick<LoadtestOptions, 'shoppers' | 'httpConnections' | 'clientProcesses'>, fdLimit: number): number {
  if (o.clientProcesses > 0) return o.clientProcesses;
  const perProcess = Math.max(1, Math.floor(fdLimit * 0.6));
  const needed = Math.ceil((o.shoppers * fdsPerShopper(o)) / perProcess);
  return Math.min(32, Math.max(needed, Math.min(2, o.shoppers)));
}

/** Problems with the fd budget that would make the run fail half-way, said up front. */
export function capacityProblems(
  o: Pick<LoadtestOptions, 'shoppers' | 'httpConnections' | 'targets' | 'apis' | 'notifiers'>,
  processes: number,
  fdLimit: number,
): string[] {
  const problems: string[] = [];
  const budget = Math.floor(fdLimit * 0.9);
  const perClient = Math.ceil(o.shoppers / processes) * fdsPerShopper(o);
  if (perClient > budget) problems.push(`each client process would hold ${perClient} connections (open-file limit ${fdLimit}); raise --client-processes`);
  if (o.targets.length === 0) {
    const perNotifier = Math.ceil(o.shoppers / o.notifiers);
    if (perNotifier > budget) problems.push(`each notifier would hold ${perNotifier} sockets (open-file limit ${fdLimit}); raise --notifiers`);
    const perApi = o.httpConnections === 0 ? Math.ceil(o.shoppers / o.apis) : Math.ceil(o.httpConnections / o.apis);
    if (perApi > budget) problems.push(`each order-api would hold ${perApi} connections (open-file limit ${fdLimit}); raise --apis or set --http-connections`);
  }
  return problems;
}
