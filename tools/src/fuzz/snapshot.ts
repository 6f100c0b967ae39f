import Redis from 'ioredis';
import { Client } from 'pg';

/** The tables a refused request could change, and the row count and checksum of each. */
export const TABLES = ['users', 'seckill_goods', 'orders', 'order_requests'] as const;
export type Table = (typeof TABLES)[number];

export interface StateSnapshot {
  tables: Record<Table, { rows: number; checksum: string }>;
  /** Every stock-related Redis key under the prefix (counters, buyers, fences, requests) and its content. */
  redis: Record<string, string>;
}

/** Where the product keeps its state (omitted in --target mode without --database-url: no state check then). */
export interface StateLocation {
  databaseUrl: string;
  redisUrl: string;
  redisKeyPrefix: string;
}

/** Keys that are not stock state: rate-limit counters change with every request, accepted or not, by design. */
const NOT_STATE = /(^|:)(rl|rate|limit|ratelimit)[:_-]/i;

export async function takeSnapshot(at: StateLocation): Promise<StateSnapshot> {
  const client = new Client({ connectionString: at.databaseUrl });
  await client.connect();
  const tables = {} as StateSnapshot['tables'];
  try {
    for (const t of TABLES) {
      // Every column of every row, in a stable order: any change shows up in the checksum.
      const res = await client.query<{ rows: string; checksum: string | null }>(`SELECT count(*) AS rows, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS checksum FROM ${t} t`);
      tables[t] = { rows: Number(res.rows[0]!.rows), checksum: res.rows[0]!.checksum ?? '' };
    }
  } finally {
    await client.end();
  }
  const redis = new Redis(at.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  await redis.connect();
  const state: Record<string, string> = {};
  try {
    let cursor = '0';
    const keys: string[] = [];
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', `${at.redisKeyPrefix}*`, 'COUNT', 1000);
      cursor = next;
      keys.push(...batch.filter((k) => !NOT_STATE.test(k.slice(at.redisKeyPrefix.length))));
    } while (cursor !== '0');
    for (const key of keys.sort()) state[key.slice(at.redisKeyPrefix.length)] = await dump(redis, key);
  } finally {
    redis.disconnect();
  }
  return { tables, redis: state };
}

async function dump(redis: Redis, key: string): Promise<string> {
  const type = await redis.type(key);
  switch (type) {
    case 'string':
      return `string ${await redis.get(key)}`;
    case 'hash':
      return `hash ${JSON.stringify(Object.entries(await redis.hgetall(key)).sort())}`;
    case 'set':
      return `set ${JSON.stringify((await redis.smembers(key)).sort())}`;
    case 'zset':
      return `zset ${JSON.stringify(await redis.zrange(key, 0, -1, 'WITHSCORES'))}`;
    case 'list':
      return `list ${JSON.stringify(await redis.lrange(key, 0, -1))}`;
    default:
      return type;
  }
}

/** Every difference between two snapshots, in words; empty when they are identical. */
export function diffSnapshots(before: StateSnapshot, after: StateSnapshot): string[] {
  const out: string[] = [];
  for (const t of TABLES) {
    const a = before.tables[t];
    const b = after.tables[t];
    if (a.rows !== b.rows) out.push(`${t}: ${a.rows} rows before, ${b.rows} after`);
    else if (a.checksum !== b.checksum) out.push(`${t}: same ${a.rows} rows, contents changed`);
  }
  for (const k of new Set([...Object.keys(before.redis), ...Object.keys(after.redis)])) {
    const a = before.redis[k];
    const b = after.redis[k];
    if (a !== b) out.push(`redis ${k}: ${a ?? '(absent)'} -> ${b ?? '(absent)'}`);
  }
  return out;
}

/**
 * After the lenient phase, whose requests may be accepted: row counts may only have grown by what the accepted
 * requests explain (a user per 201 register, a sale item per 201 create, at most a request and an order per 202
 * order). Returns what they do not explain.
 */
export function unexplainedGrowth(before: StateSnapshot, after: StateSnapshot, accepted: { registered: number; created: number; ordered: number }): string[] {
  const grew = (t: Table) => after.tables[t].rows - before.tables[t].rows;
  const out: string[] = [];
  if (grew('users') !== accepted.registered) out.push(`users grew by ${grew('users')}, ${accepted.registered} registrations were accepted`);
  if (grew('seckill_goods') !== accepted.created) out.push(`seckill_goods grew by ${grew('seckill_goods')}, ${accepted.created} sale items were created`);
  for (const t of ['order_requests', 'orders'] as const) {
    if (grew(t) < 0 || grew(t) > accepted.ordered) out.push(`${t} grew by ${grew(t)}, ${accepted.ordered} orders were accepted`);
  }
  return out;
}
