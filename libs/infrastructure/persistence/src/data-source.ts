import { DataSource, type DataSourceOptions } from 'typeorm';
import { Client } from 'pg';
import { InitialSchema1763769600000 } from './migrations/1763769600000-initial-schema';
import { StockLoadedAt1764547200000 } from './migrations/1764547200000-stock-loaded-at';
import { OrderStatusOutbox1764633600000 } from './migrations/1764633600000-order-status-outbox';
import { WaitingRoom1764720000000 } from './migrations/1764720000000-waiting-room';
import { RoomUpdatedAt1764720000001 } from './migrations/1764720000001-room-updated-at';

export const MIGRATIONS = [InitialSchema1763769600000, StockLoadedAt1764547200000, OrderStatusOutbox1764633600000, WaitingRoom1764720000000, RoomUpdatedAt1764720000001];

export interface DatabaseTimeouts {
  /** Opening a connection. */
  connectMs: number;
  /** One statement, enforced by the server; the client gives up 2 s later if the server does not answer at all. */
  statementMs: number;
}

export const DEFAULT_DATABASE_TIMEOUTS: DatabaseTimeouts = { connectMs: 5000, statementMs: 10_000 };

/**
 * Driver settings that keep a database fault from holding a process: a bounded connect, a statement timeout the
 * server enforces, a client-side read timeout for a server that does not answer at all (black-holed network),
 * TCP keepalive so dead connections are noticed, and a server-side limit on a transaction left idle by a client
 * that vanished (it would hold the hot item's row lock).
 */
export function driverTimeouts(t: DatabaseTimeouts): Record<string, unknown> {
  return {
    connectionTimeoutMillis: t.connectMs,
    statement_timeout: t.statementMs,
    query_timeout: t.statementMs + 2000,
    idle_in_transaction_session_timeout: Math.max(15_000, t.statementMs * 2),
    keepAlive: true,
    keepAliveInitialDelayMillis: 5000,
  };
}

/** The schema comes only from migrations: `synchronize` would race between instances and drop guards. */
export function dataSourceOptions(databaseUrl: string, poolSize = 10, timeouts: DatabaseTimeouts = DEFAULT_DATABASE_TIMEOUTS): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    // No entities: the repositories speak SQL, and the schema (with its guards) is the migrations'.
    entities: [],
    migrations: MIGRATIONS,
    synchronize: false,
    migrationsRun: false,
    poolSize,
    // Idle connections are kept: a sale starts after a quiet spell, and opening connections at the moment the
    // flood arrives is exactly when it is slowest (the load test saw the connect timeout expire).
    extra: { ...driverTimeouts(timeouts), idleTimeoutMillis: 0 },
  };
}

/** Creates the database named in the URL if it does not exist (connecting to the `postgres` database). */
export async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new Error(`DATABASE_URL: unsupported database name "${name}"`);
  url.pathname = '/postgres';
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return false;
    await client.query(`CREATE DATABASE "${name}"`);
    return true;
  } finally {
    await client.end();
  }
}

/** Drops a database (tests only: each suite works in a database of its own). */
export async function dropDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  url.pathname = '/postgres';
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** Creates the database if needed and applies pending migrations; returns the names applied. */
export async function migrate(databaseUrl: string): Promise<string[]> {
  await ensureDatabase(databaseUrl);
  const ds = new DataSource(dataSourceOptions(databaseUrl, 2));
  await ds.initialize();
  try {
    const applied = await ds.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await ds.destroy();
  }
}
