import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { dataSourceOptions, dropDatabase, migrate } from '../data-source';
import { returnedRow } from './sql';

/**
 * A migrated database of its own for this library's integration tests. They cannot use createTestEnv
 * (@seckill/testing depends on this library: importing it here would make the build graph circular), so this
 * is the same database half of it: `seckill_test_<name>_<hex>` on the shared server, dropped by `cleanup`.
 * Not exported from the library: nothing in the product uses it.
 */
export interface OwnDatabase {
  db: DataSource;
  url: string;
  cleanup(): Promise<void>;
}

export async function ownDatabase(name: string, poolSize = 8): Promise<OwnDatabase> {
  const url = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  url.pathname = `/seckill_test_${name.replace(/[^a-z0-9]/gi, '').toLowerCase().slice(0, 20)}_${randomBytes(4).toString('hex')}`;
  const databaseUrl = url.toString();
  await migrate(databaseUrl);
  const db = new DataSource(dataSourceOptions(databaseUrl, poolSize));
  await db.initialize();
  return {
    db,
    url: databaseUrl,
    async cleanup() {
      await db.destroy();
      await dropDatabase(databaseUrl);
    },
  };
}

/** Rows the repositories only read or only change, written the way the worker's batch transaction writes them. */
export async function seedUser(db: DataSource, username = `u-${randomUUID()}`): Promise<number> {
  const rows: { id: string }[] = await db.query(`INSERT INTO users (username, password_hash) VALUES ($1, 'x') RETURNING id`, [username]);
  return Number(returnedRow(rows, 'INSERT INTO users').id);
}

export async function seedItem(
  db: DataSource,
  spec: { stock?: number; name?: string; startTime?: Date; endTime?: Date; loaded?: boolean } = {},
): Promise<number> {
  const rows: { id: number }[] = await db.query(
    `INSERT INTO seckill_goods (name, price, seckill_price, stock_total, stock_left, start_time, end_time, stock_loaded_at)
     VALUES ($1, 100, 9.9, $2, $2, $3, $4, CASE WHEN $5 THEN now() END) RETURNING id`,
    [spec.name ?? 'item', spec.stock ?? 10, spec.startTime ?? new Date(Date.now() - 60_000), spec.endTime ?? new Date(Date.now() + 3_600_000), spec.loaded ?? false],
  );
  return returnedRow(rows, 'INSERT INTO seckill_goods').id;
}

/** A sold unit: the order (UNPAID unless told), its SUCCESS outcome, and the unit taken from the item's stock. */
export async function seedOrder(
  db: DataSource,
  spec: { userId: number; itemId: number; uuid?: string; status?: string; payDeadline?: Date },
): Promise<{ orderNo: string; uuid: string }> {
  const uuid = spec.uuid ?? randomUUID();
  return db.transaction(async (tx) => {
    const rows: { order_no: string }[] = await tx.query(
      `INSERT INTO orders (uuid, user_id, seckill_good_id, amount, status, pay_deadline) VALUES ($1, $2, $3, 9.9, $4, $5) RETURNING order_no`,
      [uuid, spec.userId, spec.itemId, spec.status ?? 'UNPAID', spec.payDeadline ?? new Date(Date.now() + 900_000)],
    );
    const order = returnedRow(rows, 'INSERT INTO orders');
    await tx.query(`INSERT INTO order_requests (uuid, user_id, seckill_good_id, status, order_no) VALUES ($1, $2, $3, 'SUCCESS', $4)`, [
      uuid,
      spec.userId,
      spec.itemId,
      order.order_no,
    ]);
    await tx.query(`UPDATE seckill_goods SET stock_left = stock_left - 1 WHERE id = $1`, [spec.itemId]);
    return { orderNo: order.order_no, uuid };
  });
}

export async function seedFailure(db: DataSource, spec: { userId: number; itemId: number; reason?: string; uuid?: string }): Promise<string> {
  const uuid = spec.uuid ?? randomUUID();
  await db.query(`INSERT INTO order_requests (uuid, user_id, seckill_good_id, status, reason) VALUES ($1, $2, $3, 'FAIL', $4)`, [
    uuid,
    spec.userId,
    spec.itemId,
    spec.reason ?? 'SOLD_OUT',
  ]);
  return uuid;
}

/** Resolves once `count` other sessions of this database wait for a lock: the overlap a test wants is real. */
export async function lockWaiters(db: DataSource, count = 1): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const rows: { n: number }[] = await db.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    if (returnedRow(rows, 'SELECT count(*)').n >= count) return;
    if (Date.now() > deadline) throw new Error(`no ${count} session(s) waiting for a lock within 10 s`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
