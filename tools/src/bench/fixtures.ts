import { connectAmqp, Queue } from '@seckill/messaging';
import { unlinkMatching, type RedisClient } from '@seckill/redis';
import { createTestEnv, sql, type TestEnv } from '@seckill/testing';
import { log } from './measurement';
import { prepareShoppers, type Shoppers } from './shoppers';

/** An isolated environment (own database, vhost, Redis key prefix) with seeded shoppers and their tokens. */
export interface World {
  env: TestEnv;
  shoppers: Shoppers;
  dispose(): Promise<void>;
}

export async function createWorld(name: string, shopperCount: number): Promise<World> {
  const env = await createTestEnv(name);
  try {
    const shoppers = await prepareShoppers(env.databaseUrl, shopperCount, name);
    log(`${name}: environment ${env.id} with ${shopperCount} shoppers`);
    return {
      env,
      shoppers,
      async dispose() {
        shoppers.dispose();
        await env.cleanup();
      },
    };
  } catch (err) {
    await env.cleanup().catch(() => undefined);
    throw err;
  }
}

/** Empties queues of an environment (between rounds, so a growing queue never skews a later one). */
export async function purgeQueues(amqpUrl: string, queues: readonly string[]): Promise<number> {
  const conn = await connectAmqp(amqpUrl);
  try {
    const ch = await conn.createChannel();
    let purged = 0;
    for (const q of queues) purged += (await ch.purgeQueue(q)).messageCount;
    await ch.close();
    return purged;
  } finally {
    await conn.close();
  }
}

export function purgePending(amqpUrl: string): Promise<number> {
  return purgeQueues(amqpUrl, [Queue.PENDING]);
}

/** Deletes every key matching the pattern (SCAN + UNLINK, on every master of a cluster). */
export function deleteKeys(redis: RedisClient, pattern: string): Promise<number> {
  return unlinkMatching(redis, pattern, 5000);
}

/**
 * Inserts one live sale item per entry of `stocks` in one statement (started a minute ago, ends in an hour) and
 * returns the first id: item k has id first + k and stock stocks[k]. Checked, since the bench's wrk script
 * addresses the items by that arithmetic.
 */
export async function seedItems(databaseUrl: string, name: string, stocks: readonly number[]): Promise<number> {
  if (stocks.length === 0) throw new Error('no items to seed');
  const rows = await sql<{ id: string | number; stock: number }>(
    databaseUrl,
    `INSERT INTO seckill_goods (name, price, seckill_price, stock_total, stock_left, start_time, end_time)
     SELECT $1 || ' ' || s.i, 100, 9.9, s.stock, s.stock, now() - interval '1 minute', now() + interval '1 hour'
     FROM unnest($2::int[]) WITH ORDINALITY AS s(stock, i) ORDER BY s.i
     RETURNING id, stock_total AS stock`,
    [name, stocks],
  );
  const byId = rows.map((r) => ({ id: Number(r.id), stock: r.stock })).sort((a, b) => a.id - b.id);
  const first = byId[0]!.id;
  if (byId.length !== stocks.length || byId.some((r, k) => r.id !== first + k || r.stock !== stocks[k])) {
    throw new Error(`the ${stocks.length} seeded items did not get consecutive ids in order`);
  }
  return first;
}
