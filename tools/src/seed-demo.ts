import { hash } from '@node-rs/argon2';
import { DataSource } from 'typeorm';
import { appConfig } from '@seckill/config';
import { createLogger } from '@seckill/observability';
import { dataSourceOptions } from '@seckill/persistence';
import { createRedisClient, redisTargetOf } from '@seckill/redis';
import { StockKeys, StockService } from '@seckill/stock';

export const DEMO_USERS = ['alice', 'bob', 'carol'];
export const DEMO_PASSWORD = 'seckill-demo';
const DEMO_ITEM = 'Demo flash sale: noise-cancelling headphones';

/**
 * `npm run seed:demo`: a live demo sale of 100 units (until one is live already) and demo shoppers.
 * Idempotent, so `npm start` can run it every time.
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
    const live: { id: number; stock_left: number }[] = await db.query(
      `SELECT id, stock_left FROM seckill_goods WHERE name = $1 AND end_time > now() + interval '10 minutes' ORDER BY id DESC LIMIT 1`,
      [DEMO_ITEM],
    );
    let item = live[0];
    if (!item) {
      const rows: { id: number; stock_left: number }[] = await db.query(
        `INSERT INTO seckill_goods (name, price, seckill_price, stock_total, stock_left, start_time, end_time)
         VALUES ($1, 299.00, 99.00, 100, 100, now() - interval '1 minute', now() + interval '2 hours') RETURNING id, stock_left`,
        [DEMO_ITEM],
      );
      item = rows[0]!;
      log.info({ seckillGoodId: item.id }, 'demo sale created: 100 units, live now for 2 hours');
    } else {
      log.info({ seckillGoodId: item.id }, 'demo sale already live');
    }
    const buyers: { user_id: string; uuid: string }[] = await db.query(
      `SELECT user_id, uuid FROM orders WHERE seckill_good_id = $1 AND status IN ('UNPAID', 'PAID')`,
      [item.id],
    );
    await new StockService(redis, new StockKeys(config.REDIS_KEY_PREFIX)).load(item.id, item.stock_left, buyers.map((b) => ({ userId: Number(b.user_id), uuid: b.uuid })));
    console.log(`demo shoppers: ${DEMO_USERS.join(', ')} (password "${DEMO_PASSWORD}"); admin: ${config.ADMIN_USERNAME} (password from ADMIN_PASSWORD, "admin" in development)`);
  } finally {
    await db.destroy();
    redis.disconnect();
  }
}

main().catch((err: unknown) => {
  console.error(`seed-demo: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
