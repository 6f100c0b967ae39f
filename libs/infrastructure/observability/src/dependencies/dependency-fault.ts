/** The servers a process depends on. A fault of one of them is waited out, never treated as a bug. */
export type Dependency = 'postgres' | 'redis' | 'rabbitmq';

export const DEPENDENCIES: readonly Dependency[] = ['postgres', 'redis', 'rabbitmq'];

/**
 * What an error says about the servers behind it:
 * - a Dependency: that server is unreachable, overloaded or restarting;
 * - 'network': a socket-level failure whose server the error does not name (the caller probes to find out);
 * - null: nothing points at a server, so it is treated as a bug (or as a poison message).
 * Pure and conservative: an error is only blamed on a dependency by its code, class or driver message, so a
 * bug is never retried forever as an "outage".
 */
export type FaultOrigin = Dependency | 'network' | null;

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNABORTED',
  'ESOCKETTIMEDOUT',
]);

/**
 * SQLSTATEs that mean "the server cannot serve you right now", not "your statement is wrong":
 * class 08 (connection exception), 53 (insufficient resources), 57P01–57P03 (shutdown, crash, starting up),
 * 57014 (statement timeout / cancelled), 58 (system error: I/O), and a hot standby that cannot write (25006).
 */
function isPostgresUnavailable(code: string): boolean {
  return /^(08|53|58)/.test(code) || ['57P01', '57P02', '57P03', '57014', '25006'].includes(code);
}

/** node-postgres and pg-pool report lost or unreachable connections with plain Errors. */
const POSTGRES_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Query read timeout',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
  'Cannot use a pool after calling end on the pool',
  'terminating connection',
];

/** ioredis reports an unreachable or not-yet-usable server with these names and reply prefixes. */
const REDIS_ERROR_NAMES = new Set(['MaxRetriesPerRequestError', 'ClusterAllFailedError']);
const REDIS_MESSAGES = ['Connection is closed', "Stream isn't writeable", 'Reached the max retries per request limit', 'None of startup nodes is available'];
const REDIS_REPLY_PREFIXES = ['LOADING', 'READONLY', 'MASTERDOWN', 'CLUSTERDOWN', 'TRYAGAIN', 'BUSY', 'NOREPLICAS', 'OOM'];

const RABBITMQ_ERROR_NAMES = new Set(['PublishTimeoutError', 'IllegalOperationError']);
const RABBITMQ_MESSAGES = ['Channel closed', 'Connection closed', 'channel closed', 'Channel ended', 'Socket closed abruptly'];

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  driverError?: unknown;
  cause?: unknown;
  errors?: unknown;
  command?: unknown;
  severity?: unknown;
  dependency?: unknown;
}

export function faultOrigin(err: unknown, depth = 0): FaultOrigin {
  if (typeof err !== 'object' || err === null || depth > 4) return null;
  const e = err as ErrorLike;
  const name = typeof e.name === 'string' ? e.name : '';
  const message = typeof e.message === 'string' ? e.message : '';
  const code = typeof e.code === 'string' ? e.code : '';
  // An error that already says which dependency failed (our own wrappers).
  if (e.dependency === 'postgres' || e.dependency === 'redis' || e.dependency === 'rabbitmq') return e.dependency;
  // TypeORM wraps driver errors; AggregateError (several addresses) and `cause` chains carry the real one.
  if (e.driverError) {
    const inner = faultOrigin(e.driverError, depth + 1);
    if (inner) return inner === 'network' ? 'postgres' : inner;
  }
  if (Array.isArray(e.errors)) {
    for (const inner of e.errors) {
      const origin = faultOrigin(inner, depth + 1);
      if (origin) return origin;
    }
  }
  if (e.cause) {
    const inner = faultOrigin(e.cause, depth + 1);
    if (inner) return inner;
  }
  // A PostgreSQL server error carries a severity and a five-character SQLSTATE.
  if (/^[0-9A-Z]{5}$/.test(code) && typeof e.severity === 'string') return isPostgresUnavailable(code) ? 'postgres' : null;
  if (name === 'QueryFailedError' && /^[0-9A-Z]{5}$/.test(code)) return isPostgresUnavailable(code) ? 'postgres' : null;
  if (POSTGRES_MESSAGES.some((m) => message.includes(m))) return 'postgres';
  if (REDIS_ERROR_NAMES.has(name) || REDIS_MESSAGES.some((m) => message.includes(m))) return 'redis';
  if (name === 'ReplyError' && REDIS_REPLY_PREFIXES.some((p) => message.startsWith(p))) return 'redis';
  if (RABBITMQ_ERROR_NAMES.has(name) || RABBITMQ_MESSAGES.some((m) => message.includes(m))) return 'rabbitmq';
  if (NETWORK_CODES.has(code)) return 'network';
  return null;
}

/** An error that names the dependency it is about (for faults found by probing rather than by an error). */
export class DependencyUnavailableError extends Error {
  override name = 'DependencyUnavailableError';

  constructor(
    readonly dependency: Dependency,
    message = `${dependency} is unavailable`,
  ) {
    super(message);
  }
}
