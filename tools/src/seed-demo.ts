import { hash } from '@node-rs/argon2';
import { DataSource } from 'typeorm';
import { appConfig } from '@seckill/config';
import { createLogger } from '@seckill/observability';
import { dataSourceOptions } from '@seckill/persistence';
import { createRedisClient, redisTargetOf } from '@seckill/redis';
import { StockKeys, StockService } from '@seckill/stock';

export const DEMO_USERS = ['alice', 'bob', 'carol'];
export const DEMO_PASSWORD = 'seckill-demo';

interface DemoItem {
  name: string;
  stock: number;
  /** A waiting room in front of it: slow on purpose, so a shopper sees the line move. */
  room?: { admitPerSecond: number; preQueueSeconds: number };
}

const DEMO_ITEMS: DemoItem[] = [
  { name: 'Demo flash sale: noise-cancelling headphones', stock: 100 },
  { name: 'Demo drop with a waiting room: limited-edition sneakers', stock: 50, room: { admitPerSecond: 2, preQueueSeconds: 60 } },
];

/**
 * `npm run seed:demo`: live demo sales (100 units; 50 behind a waiting room), each until one is live already, and
 * demo shoppers. Idempotent, so `npm start` can run it every time.
 */
async function main(): Promise<void> {
  const log = createLogger('seed-demo');
  const config = appConfig();
  const db = new DataSource(dataSourceOptions(config.DATABASE_URL, 2));
  await db.initialize();
  const redis = createRedisClient(redisTargetOf(config), 'seed-demo');
  try {
    const passwordHash = await hash(DEMO_PASSWORD, { memoryCost: config.PASSWORD_HASH_MEMORY_KIB, timeCost: 2, parallelism: 1 });
    for (const username of DEMO_USERS) {
      await db.query(`INSERT INTO users (username, password_hash, role) VALUES ($1, $2, 'shopper') ON CONFLICT (username) DO NOTHING`, [username, passwordHash]);
    }
    const stock = new StockService(redis, new StockKeys(config.REDIS_KEY_PREFIX));
    for (const demo of DEMO_ITEMS) {
      const item = await ensureLive(db, demo, log);
      const buyers: { user_id: string; uuid: string }[] = await db.query(
        `SELECT user_id, uuid FROM orders WHERE seckill_good_id = $1 AND status IN ('UNPAID', 'PAID')`,
        [item.id],
      );
      await stock.load(item.id, item.stock_left, buyers.map((b) => ({ userId: Number(b.user_id), uuid: b.uuid })));
    }
    console.log(`demo shoppers: ${DEMO_USERS.join(', ')} (password "${DEMO_PASSWORD}"); admin: ${config.ADMIN_USERNAME} (password from ADMIN_PASSWORD, "admin" in development)`);
  } finally {
    await db.destroy();
    redis.disconnect();
  }
}

/** The demo item live for at least ten more minutes, created (live for two hours) when there is none. */
async function ensureLive(db: DataSource, demo: DemoItem, log: ReturnType<typeof createLogger>): Promise<{ id: number; stock_left: number }> {
  const live: { id: number; stock_left: number }[] = await db.query(
    `SELECT id, stock_left FROM seckill_goods WHERE name = $1 AND end_time > now() + interval '10 minutes' ORDER BY id DESC LIMIT 1`,
    [demo.name],
  );
  if (live[0]) {
    log.info({ seckillGoodId: live[0].id }, 'demo sale already live');
    return live[0];
  }
  const rows: { id: number; stock_left: number }[] = await db.query(
    `INSERT INTO seckill_goods (name, price, seckill_price, stock_total, stock_left, start_time, end_time, room_enabled, room_admit_per_second, room_pre_queue_seconds)
     VALUES ($1, 299.00, 99.00, $2, $2, now() - interval '1 minute', now() + interval '2 hours', $3, $4, $5) RETURNING id, stock_left`,
    [demo.name, demo.stock, demo.room !== undefined, demo.room?.admitPerSecond ?? 100, demo.room?.preQueueSeconds ?? 0],
  );
  const item = rows[0]!;
  log.info({ seckillGoodId: item.id, waitingRoom: demo.room ?? null }, `demo sale created: ${demo.stock} units, live now for 2 hours`);
  return item;
}

main().catch((err: unknown) => {
  console.error(`seed-demo: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
