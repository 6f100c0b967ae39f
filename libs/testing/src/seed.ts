import { Client } from 'pg';

/** Not a valid argon2 hash on purpose: seeded shoppers log in with minted tokens, never with a password. */
const NO_PASSWORD = '!seeded-without-password';

/** Inserts `count` shoppers in one statement and returns their ids and names. */
export async function seedShoppers(databaseUrl: string, count: number, prefix = 'shopper'): Promise<{ id: number; username: string }[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const names = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
    const res = await client.query<{ id: string; username: string }>(
      `INSERT INTO users (username, password_hash) SELECT u, $2 FROM unnest($1::text[]) AS u RETURNING id, username`,
      [names, NO_PASSWORD],
    );
    return res.rows.map((r) => ({ id: Number(r.id), username: r.username }));
  } finally {
    await client.end();
  }
}

export interface SaleSpec {
  name?: string;
  stock: number;
  /** Defaults: started a minute ago, ends in an hour. */
  startTime?: Date;
  endTime?: Date;
  /** Starts with the waiting room on. */
  room?: { admitPerSecond: number; preQueueSeconds: number };
}

/** Inserts a sale item straight into PostgreSQL (its Redis counter is loaded by order-api on first use). */
export async function seedSale(databaseUrl: string, spec: SaleSpec): Promise<number> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const res = await client.query<{ id: number }>(
      `INSERT INTO seckill_goods (name, price, seckill_price, stock_total, stock_left, start_time, end_time, room_enabled, room_admit_per_second, room_pre_queue_seconds)
       VALUES ($1, 100, 9.9, $2, $2, $3, $4, $5, coalesce($6, 100), coalesce($7, 0)) RETURNING id`,
      [
        spec.name ?? 'test item',
        spec.stock,
        spec.startTime ?? new Date(Date.now() - 60_000),
        spec.endTime ?? new Date(Date.now() + 3_600_000),
        spec.room !== undefined,
        spec.room?.admitPerSecond ?? null,
        spec.room?.preQueueSeconds ?? null,
      ],
    );
    return res.rows[0]!.id;
  } finally {
    await client.end();
  }
}

/** One-off query against a test database. */
export async function sql<T extends object>(databaseUrl: string, text: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}
