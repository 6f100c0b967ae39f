import { z } from 'zod';
import { splitUrlList, urlListProblems, type UrlListRules } from './url-list';

/** Development defaults. With NODE_ENV=production none of the secrets below may be left at these values. */
export const DEV_JWT_SECRET = 'dev-only-secret-change-me-in-production';
const DEV_ADMIN = { username: 'admin', password: 'admin' };
/** HS256 keys shorter than the hash output (32 bytes) are guessable offline from one token. */
export const MIN_PRODUCTION_JWT_SECRET_BYTES = 32;
export const MIN_PRODUCTION_ADMIN_PASSWORD_CHARS = 12;

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const url = (protocols: string[]) =>
  z
    .string()
    .url()
    // zod runs the refinement even after .url() failed: a value that is no URL at all is reported by .url()
    // ("Invalid url", naming the variable) instead of escaping as a TypeError.
    .refine((v) => !URL.canParse(v) || protocols.includes(new URL(v).protocol), { message: `must start with ${protocols.join(' or ')}` });
/** One URL, checked exactly as `url` does, or a comma-separated list of the nodes of one cluster, each checked. */
const urlList = (rules: UrlListRules) => {
  const single = url([...rules.protocols]);
  return z.string().superRefine((value, ctx) => {
    const nodes = splitUrlList(value);
    const problems = nodes.length > 1 ? urlListProblems(nodes, rules) : (single.safeParse(value).error?.issues.map((i) => i.message) ?? []);
    for (const message of problems) ctx.addIssue({ code: z.ZodIssueCode.custom, message });
  });
};

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().min(1).default('0.0.0.0'),
  ORDER_API_PORT: port.default(3000),
  ORDER_WORKER_PORT: port.default(3001),
  NOTIFIER_PORT: port.default(8085),
  /** Where browsers reach the notifier (behind a proxy, TLS, another host); unset: the page's host on NOTIFIER_PORT. */
  NOTIFIER_PUBLIC_URL: z.string().url().optional(),
  DATABASE_URL: url(['postgres:', 'postgresql:']).default('postgres://postgres@127.0.0.1:5432/seckill'),
  REDIS_URL: url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  /**
   * `host:port,host:port,…`: the seed nodes of a Redis Cluster, used instead of REDIS_URL's host (REDIS_URL still
   * gives the credentials and TLS of every node). Unset: one Redis at REDIS_URL.
   */
  REDIS_CLUSTER_NODES: z
    .string()
    .regex(/^\s*[^\s,:]+:\d{1,5}\s*(,\s*[^\s,:]+:\d{1,5}\s*)*$/, { message: 'must be host:port,host:port,… (the seed nodes of a Redis Cluster)' })
    .optional(),
  REDIS_KEY_PREFIX: z.string().regex(/^[A-Za-z0-9:_-]*$/).default('seckill:'),
  /** One node, or several nodes of one cluster, comma-separated (all through the same vhost); docs/operations.md. */
  RABBITMQ_URL: urlList({ protocols: ['amqp:', 'amqps:'], sameVhost: true }).default('amqp://guest:guest@127.0.0.1:5672'),
  /** One management endpoint, or several (one per node), comma-separated: whichever answers is read. */
  RABBITMQ_MANAGEMENT_URL: urlList({ protocols: ['http:', 'https:'] }).default('http://guest:guest@127.0.0.1:15672'),
  JWT_SECRET: z.string().min(16).default(DEV_JWT_SECRET),
  JWT_EXPIRES_IN_SECONDS: positiveInt.default(3600),
  PAYMENT_WINDOW_SECONDS: positiveInt.default(900),
  ADMIN_USERNAME: z.string().min(3).max(64).optional(),
  ADMIN_PASSWORD: z.string().min(5).max(128).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** How long an unconfirmed publish may take before the reservation is released and the shopper told 503. */
  PUBLISH_CONFIRM_TIMEOUT_MS: positiveInt.default(3000),
  /** How long order-api trusts its in-memory copy of a sale's window and prices. */
  SALE_CACHE_TTL_MS: positiveInt.default(1000),
  /**
   * Verified access tokens order-api keeps (least recently used out): a shopper's retries during a sale reuse one
   * token, so its signature is checked once. 0 turns the cache off. ~0.4 KiB an entry.
   */
  VERIFIED_TOKEN_CACHE_ENTRIES: z.coerce.number().int().min(0).max(1_000_000).default(100_000),
  /** A local sold-out flag is re-checked against Redis after this long, in case a broadcast was missed. */
  SOLD_OUT_FLAG_TTL_MS: positiveInt.default(2000),
  HTTP_BODY_LIMIT_BYTES: positiveInt.default(16 * 1024),
  /**
   * Unacknowledged pending orders one worker holds: the batches in flight plus the next ones already buffered,
   * so a slot that frees up finds a full batch waiting instead of a round trip to the broker. At least
   * WORKER_BATCH_SIZE × WORKER_BATCHES_IN_FLIGHT (checked below).
   */
  WORKER_PREFETCH: positiveInt.default(3000),
  /** Most orders in one batch transaction: bigger batches spread the hot-row lock and commit over more orders. */
  WORKER_BATCH_SIZE: positiveInt.default(500),
  /**
   * Batches one worker handles at once. The hot-row `FOR UPDATE` serialises their transactions anyway, but
   * while one batch holds the lock the others read, claim in Redis, publish outcomes and ack (docs/benchmarks.md:
   * 3 in flight with batches of 500 persisted 36 % more orders/s than one batch of 200 at a time, 16 % more
   * than batches of 1,000 one at a time). Each holds a pooled PostgreSQL connection (10 per process), hence
   * the cap.
   */
  WORKER_BATCHES_IN_FLIGHT: positiveInt.max(8).default(3),
  /**
   * Attempts after which a message that keeps failing while every dependency answers (a poison message, a bug)
   * is parked. Failures during an outage never count: those are retried through the delay queues until the
   * dependency is back.
   */
  MAX_DELIVERIES: positiveInt.default(5),
  /** Unacknowledged messages per consumer of these queues (single-message handlers run this many at once). */
  FAIL_RELEASE_PREFETCH: positiveInt.max(10_000).default(50),
  TIMEOUT_PREFETCH: positiveInt.max(10_000).default(50),
  NOTIFY_PREFETCH: positiveInt.max(10_000).default(200),
  STOCK_BROADCAST_PREFETCH: positiveInt.max(10_000).default(100),
  /** How often each process probes its dependencies while all answer (once a second while one is down). */
  DEPENDENCY_PROBE_INTERVAL_MS: positiveInt.default(5000),
  /** A dependency that does not answer a probe within this is down. */
  DEPENDENCY_PROBE_TIMEOUT_MS: positiveInt.default(1000),
  /**
   * Getting a PostgreSQL connection (from the pool, or opening one): a black-holed database must not hold a
   * batch for minutes. pg-pool counts the wait for a free pooled connection too, so it must cover a burst.
   */
  DB_CONNECT_TIMEOUT_MS: positiveInt.default(5000),
  /** Longest statement (server side, and client side plus 2 s when the server does not answer at all). */
  DB_STATEMENT_TIMEOUT_MS: positiveInt.default(10_000),
  /**
   * A reservation still waiting for its publish confirm after this long is stranded (its order-api died, or
   * could not abandon it): order-worker returns the unit. Must exceed PUBLISH_CONFIRM_TIMEOUT_MS.
   */
  STRANDED_AFTER_MS: positiveInt.default(10_000),
  /** How often order-worker looks for stranded reservations. */
  STRANDED_SWEEP_INTERVAL_MS: positiveInt.default(2000),
  // Issue 12, idempotent pay and cancel: the outbox relay of order-status pushes (docs/order-lifecycle.md).
  /** How often order-worker sends the status pushes left in the outbox. */
  STATUS_PUSH_RELAY_INTERVAL_MS: positiveInt.default(1000),
  /**
   * A push is the relay's once it is this old: the process that committed the change sends it at once, and may
   * wait up to PUBLISH_CONFIRM_TIMEOUT_MS for the confirm; an earlier relay would only send it twice.
   */
  STATUS_PUSH_RELAY_AFTER_MS: positiveInt.default(5000),
  /** How often order-worker checks whether an item held after a Redis loss can be sold again. */
  FENCE_CHECK_INTERVAL_MS: positiveInt.default(2000),
  /**
   * How stale RabbitMQ's management statistics may be (queue lengths are sampled every 5 s): an item held after a
   * Redis loss is released only once the queues have been seen empty at least this long after the loss.
   */
  FENCE_STATS_LAG_MS: positiveInt.default(10_000),
  /** Longest a graceful stop (SIGTERM) waits for work in flight before closing anyway. */
  SHUTDOWN_GRACE_MS: positiveInt.default(10_000),
  /** order-worker re-checks Redis against PostgreSQL for every live sale this often. */
  RECONCILE_INTERVAL_MS: positiveInt.default(30_000),
  /** The notifier pings every socket this often; a socket that misses two pongs is dropped. */
  NOTIFIER_PING_INTERVAL_MS: positiveInt.default(30_000),
  /** Issue 12, request limits: `off` lifts every request limit (login, register, orders, sockets per user); refused in production. */
  RATE_LIMITS: z.enum(['on', 'off']).default('on'),
  /** Issue 12, the guarded socket (docs/security.md "The socket"). Largest frame a client may send; beyond it, close 1009. */
  NOTIFIER_MAX_PAYLOAD_BYTES: positiveInt.default(4096),
  /** Open sockets one user may hold across all notifier instances (counted in Redis); beyond it, close 4429. */
  NOTIFIER_SOCKETS_PER_USER: positiveInt.default(20),
  /** Open sockets one notifier instance accepts; beyond it, close 1013 (try again later, elsewhere). */
  NOTIFIER_MAX_SOCKETS: positiveInt.default(100_000),
  /** How long a socket may wait on a uuid that is nobody's yet; then it is closed with 4408. */
  NOTIFIER_UNOWNED_WAIT_MS: positiveInt.default(60_000),
  /** Waiting rooms: how often the admitting process takes an admission step per room (the rate is held whatever it is). */
  ROOM_TICK_MS: z.coerce.number().int().min(10).max(5000).default(100),
  /** The admitter's lease on a room: how long after its holder dies another instance takes over. */
  ROOM_LEASE_MS: z.coerce.number().int().min(200).max(60_000).default(3000),
  /** How long an admission token stays valid: the admitted shopper's time to place the order. */
  ROOM_ADMISSION_TTL_SECONDS: z.coerce.number().int().min(5).max(3600).default(60),
  /** Admissions outstanding (handed out, not used yet) allowed per unit left: admission adapts to the stock. */
  ROOM_ADMIT_PER_UNIT_LEFT: z.coerce.number().min(1).max(100).default(2),
  /** How often order-api re-reads which items have a room on (PostgreSQL) and restores their settings in Redis. */
  ROOM_SYNC_INTERVAL_MS: z.coerce.number().int().min(100).max(60_000).default(1000),
  /** How often the notifier pushes each waiting shopper's position. */
  ROOM_PUSH_INTERVAL_MS: z.coerce.number().int().min(100).max(30_000).default(2000),
  /** Password hashing cost (argon2id memory in KiB). Lower only in tests. */
  PASSWORD_HASH_MEMORY_KIB: z.coerce.number().int().min(1024).default(19456),

  // --- Issue 12, production settings ---
  /**
   * Unset in development: /metrics and /docs on the app's own port. Set (and always in production): they are
   * served only here, on METRICS_HOST, and the public port answers 404 for them.
   */
  METRICS_PORT: port.optional(),
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /**
   * Proxies whose X-Forwarded-For order-api believes: a hop count (`1`), or addresses/CIDRs (`10.0.0.0/8,127.0.0.1`).
   * Unset: none, so the client address is the TCP peer and no client can claim another IP.
   */
  TRUST_PROXY: z
    .string()
    .regex(/^(\d+|[0-9A-Fa-f.:/]+(\s*,\s*[0-9A-Fa-f.:/]+)*)$/, 'a hop count or a comma-separated list of addresses/CIDRs')
    .optional(),

  // ── Request limits (issue 12, limits part): shared by every order-api instance through Redis ──
  /** Login attempts per username per minute, right or wrong (a brute force on one account meets 429). */
  LOGIN_LIMIT_PER_USERNAME_PER_MINUTE: positiveInt.default(10),
  /** Login attempts per client address per minute (password spraying over many usernames). */
  LOGIN_LIMIT_PER_IP_PER_MINUTE: positiveInt.default(100),
  /** Registrations per client address per hour (fresh accounts would get around the per-user order limit). */
  REGISTER_LIMIT_PER_IP_PER_HOUR: positiveInt.default(20),
  /** Order requests one user may make per second, across all instances (a few clicks a second pass). */
  ORDER_RATE_LIMIT_PER_SECOND: positiveInt.default(10),
  /** Order requests per client address per second, across all instances (generous: shoppers share NATs). */
  ORDER_RATE_LIMIT_PER_IP_PER_SECOND: positiveInt.default(300),
  /** Password hashes (login, register) computed at once: argon2 is CPU-bound, each takes a core. */
  PASSWORD_HASH_CONCURRENCY: positiveInt.max(64).default(2),
  /** Password hashes waiting for a slot; beyond them a login or registration is answered 503 TRY_AGAIN at once. */
  PASSWORD_HASH_QUEUE: z.coerce.number().int().min(0).max(10_000).default(32),
});

export type AppConfig = Omit<z.infer<typeof configSchema>, 'ADMIN_USERNAME' | 'ADMIN_PASSWORD'> & {
  ADMIN_USERNAME: string;
  ADMIN_PASSWORD: string;
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Validates the environment once. Every problem names its variable, so a misconfigured process stops at
 * start with a message an operator can act on instead of failing on the first request.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const raw = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  const problems: string[] = [];
  // A prefetch smaller than the batches in flight leaves slots empty or batches short: it silently undoes the
  // tuning, so it is refused rather than accepted.
  if (c.WORKER_PREFETCH < c.WORKER_BATCH_SIZE * c.WORKER_BATCHES_IN_FLIGHT) {
    problems.push(
      `WORKER_PREFETCH: must be at least WORKER_BATCH_SIZE × WORKER_BATCHES_IN_FLIGHT ` +
        `(${c.WORKER_BATCH_SIZE} × ${c.WORKER_BATCHES_IN_FLIGHT} = ${c.WORKER_BATCH_SIZE * c.WORKER_BATCHES_IN_FLIGHT}), got ${c.WORKER_PREFETCH}`,
    );
  }
  if (c.STRANDED_AFTER_MS <= c.PUBLISH_CONFIRM_TIMEOUT_MS) {
    problems.push(
      `STRANDED_AFTER_MS: must exceed PUBLISH_CONFIRM_TIMEOUT_MS (${c.PUBLISH_CONFIRM_TIMEOUT_MS}), got ${c.STRANDED_AFTER_MS}: ` +
        'a reservation whose publish is merely slow would be released while its order-api still waits for the confirm',
    );
  }
  if (c.ROOM_LEASE_MS < 3 * c.ROOM_TICK_MS) {
    problems.push(
      `ROOM_LEASE_MS: must be at least 3 × ROOM_TICK_MS (${3 * c.ROOM_TICK_MS}), got ${c.ROOM_LEASE_MS}: ` +
        'a lease shorter than a few admission steps would pass from instance to instance between steps',
    );
  }
  if (c.NODE_ENV === 'production') problems.push(...productionProblems(c));
  if (problems.length > 0) throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  return {
    ...c,
    ADMIN_USERNAME: c.ADMIN_USERNAME ?? DEV_ADMIN.username,
    ADMIN_PASSWORD: c.ADMIN_PASSWORD ?? DEV_ADMIN.password,
  };
}

/** A URL, or each node of a comma-separated list of them (RABBITMQ_URL may name several nodes of one cluster). */
function urlNodes(value: string): URL[] {
  return splitUrlList(value).map((v) => new URL(v));
}

/**
 * What production refuses (docs/security.md, "Production settings"): every weak setting is named at once, so
 * an operator fixes them in one go instead of one restart per problem.
 */
function productionProblems(c: z.infer<typeof configSchema>): string[] {
  const problems: string[] = [];
  if (c.JWT_SECRET === DEV_JWT_SECRET) problems.push('JWT_SECRET: must be set in production');
  else if (Buffer.byteLength(c.JWT_SECRET, 'utf8') < MIN_PRODUCTION_JWT_SECRET_BYTES) {
    problems.push(`JWT_SECRET: must be at least ${MIN_PRODUCTION_JWT_SECRET_BYTES} bytes in production`);
  }
  for (const key of ['DATABASE_URL', 'REDIS_URL', 'RABBITMQ_URL', 'RABBITMQ_MANAGEMENT_URL'] as const) {
    const nodes = urlNodes(c[key]);
    if (nodes.some((u) => u.username === 'guest')) problems.push(`${key}: guest credentials are refused in production`);
    else if (nodes.some((u) => u.password === '')) problems.push(`${key}: must carry a password in production`);
  }
  if (!c.ADMIN_USERNAME) problems.push('ADMIN_USERNAME: must be set in production');
  if (!c.ADMIN_PASSWORD) problems.push('ADMIN_PASSWORD: must be set in production');
  else if (c.ADMIN_PASSWORD === DEV_ADMIN.password) problems.push('ADMIN_PASSWORD: the development default is refused');
  else if ([...c.ADMIN_PASSWORD].length < MIN_PRODUCTION_ADMIN_PASSWORD_CHARS) {
    problems.push(`ADMIN_PASSWORD: must be at least ${MIN_PRODUCTION_ADMIN_PASSWORD_CHARS} characters in production`);
  }
  if (c.RATE_LIMITS === 'off') problems.push('RATE_LIMITS: off is refused in production');
  return problems;
}

let processConfig: AppConfig | undefined;

/** This process's configuration: validated on first use, then the same object everywhere. */
export function appConfig(): AppConfig {
  processConfig ??= loadConfig(process.env);
  return processConfig;
}
