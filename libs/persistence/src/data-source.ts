import { DataSource, type DataSourceOptions } from 'typeorm';
import { Client } from 'pg';
import { OrderEntity } from './entities/order.entity';
import { OrderRequestEntity } from './entities/order-request.entity';
import { SeckillGoodEntity } from './entities/seckill-good.entity';
import { UserEntity } from './entities/user.entity';
import { InitialSchema1763769600000 } from './migrations/1763769600000-initial-schema';

export const ENTITIES = [UserEntity, SeckillGoodEntity, OrderEntity, OrderRequestEntity];
export const MIGRATIONS = [InitialSchema1763769600000];

/** The schema comes only from migrations: `synchronize` would race between instances and drop guards. */
export function dataSourceOptions(databaseUrl: string, poolSize = 10): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    synchronize: false,
    migrationsRun: false,
    poolSize,
    // Idle connections are kept: a sale starts after a quiet spell, and opening connections at the moment the
    // flood arrives is exactly when it is slowest (the load test saw the 5 s connect timeout expire).
    extra: { connectionTimeoutMillis: 5000, idleTimeoutMillis: 0 },
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
