import Redis from 'ioredis';
import { Client } from 'pg';
import { connectAmqp } from '@seckill/messaging';
import { StockKeys } from '@seckill/stock';
import type { TestEnv } from '@seckill/testing';
import { bounded } from '../loadtest/sockets';

export interface DbRequest {
  uuid: string;
  userId: number;
  status: string;
  reason: string | null;
  orderNo: string | null;
}

export interface DbOrder {
  uuid: string;
  userId: number;
  orderNo: string;
  status: string;
}

export interface ApiOutcome {
  status: string;
  orderNo?: string;
  reason?: string;
}

/** What PostgreSQL, Redis, the polling API and the broker hold for one sale item, read at one moment. */
export interface EndState {
  at: number;
  stockTotal: number;
  stockLeft: number;
  orders: DbOrder[];
  requests: DbRequest[];
  /** The Redis stock counter; null when the key is missing. */
  redisCounter: number | null;
  /** `state` of every request hash under the environment's prefix, by uuid. */
  requestStates: Record<string, string>;
  /** Final answers (SUCCESS/FAIL) of GET /api/seckill/orders/:uuid for the accepted uuids, by uuid. */
  api: Record<string, ApiOutcome>;
  parkingLots: { queue: string; messages: number }[];
  /** Parts that could not be read this time (a store still down): the checks treat them as unknown. */
  errors: string[];
}

const FINAL = new Set(['SUCCESS', 'FAIL']);

/**
 * Reads the end state of a scenario's sale. API answers that are final are kept between reads (an outcome never
 * changes), so polling the end state with a deadline asks only about the ones still open.
 */
export class EndStateReader {
  private readonly apiFinal = new Map<string, ApiOutcome>();
  private readonly keys: StockKeys;
  private readonly redis: Redis;

  constructor(
    private readonly env: TestEnv,
    private readonly itemId: number,
    private readonly apis: () => readonly string[],
    private readonly tokenOf: (userId: number) => string,
  ) {
    this.keys = new StockKeys(env.redisKeyPrefix);
    this.redis = new Redis(env.redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 2_000, lazyConnect: true });
    this.redis.on('error', () => undefined);
  }

  async read(accepted: readonly { uuid: string; userId: number }[]): Promise<EndState> {
    const state: EndState = {
      at: Date.now(),
      stockTotal: NaN,
      stockLeft: NaN,
      orders: [],
      requests: [],
      redisCounter: null,
      requestStates: {},
      api: {},
      parkingLots: [],
      errors: [],
    };
    const part = async (name: string, fn: () => Promise<void>) => {
      try {
        await fn();
      } catch (err) {
        state.errors.push(`${name}: ${err instanceof Error ? err.message : String(err)}`);
      }
    };
    await Promise.all([part('PostgreSQL', () => this.readDb(state)), part('Redis', () => this.readRedis(state)), part('RabbitMQ', () => this.readParkingLots(state))]);
    await part('API', () => this.readApi(state, accepted));
    return state;
  }

  private async readDb(s: EndState): Promise<void> {
    const db = new Client({ connectionString: this.env.databaseUrl, connectionTimeoutMillis: 3_000 });
    await db.connect();
    try {
      const [row] = (await db.query<{ stock_total: number; stock_left: number }>(`SELECT stock_total, stock_left FROM seckill_goods WHERE id = $1`, [this.itemId])).rows;
      if (!row) throw new Error(`no sale item ${this.itemId}`);
      s.stockTotal = row.stock_total;
      s.stockLeft = row.stock_left;
      s.orders = (
        await db.query<{ uuid: string; user_id: string; order_no: string; status: string }>(`SELECT uuid, user_id, order_no, status FROM orders WHERE seckill_good_id = $1`, [this.itemId])
      ).rows.map((r) => ({ uuid: r.uuid, userId: Number(r.user_id), orderNo: r.order_no, status: r.status }));
      s.requests = (
        await db.query<{ uuid: string; user_id: string; status: string; reason: string | null; order_no: string | null }>(
          `SELECT uuid, user_id, status, reason, order_no FROM order_requests WHERE seckill_good_id = $1`,
          [this.itemId],
        )
      ).rows.map((r) => ({ uuid: r.uuid, userId: Number(r.user_id), status: r.status, reason: r.reason, orderNo: r.order_no }));
    } finally {
      await db.end();
    }
  }

  private async readRedis(s: EndState): Promise<void> {
    if (this.redis.status === 'wait' || this.redis.status === 'end') await this.redis.connect();
    const counter = await this.redis.get(this.keys.stock(this.itemId));
    s.redisCounter = counter === null ? null : Number(counter);
    const prefix = this.keys.request(this.itemId, '');
    let cursor = '0';
    const keys: string[] = [];
    do {
      const [next, found] = await this.redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      keys.push(...found);
    } while (cursor !== '0');
    if (keys.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const k of keys) pipeline.hget(k, 'state');
    const states = (await pipeline.exec()) ?? [];
    keys.forEach((k, i) => {
      const v = states[i]?.[1];
      if (typeof v === 'string') s.requestStates[k.slice(prefix.length)] = v;
    });
  }

  private async readParkingLots(s: EndState): Promise<void> {
    const names = (await this.env.management.queues(this.env.vhost)).map((q) => q.name).filter((n) => n.endsWith('.parking-lot'));
    // Counted over AMQP, not from the management figures, which refresh only every few seconds.
    const conn = await connectAmqp(this.env.amqpUrl);
    try {
      const ch = await conn.createChannel();
      for (const queue of names) s.parkingLots.push({ queue, messages: (await ch.checkQueue(queue)).messageCount });
    } finally {
      await conn.close().catch(() => undefined);
    }
  }

  private async readApi(s: EndState, accepted: readonly { uuid: string; userId: number }[]): Promise<void> {
    const open = accepted.filter((a) => !this.apiFinal.has(a.uuid));
    const apis = this.apis();
    let failures = 0;
    await bounded(open, 16, async (a) => {
      for (const api of apis) {
        try {
          const res = await fetch(`${api}/api/seckill/orders/${a.uuid}`, { headers: { authorization: `Bearer ${this.tokenOf(a.userId)}` }, signal: AbortSignal.timeout(3_000) });
          const body = (await res.json().catch(() => ({}))) as { status?: string; orderNo?: string; reason?: string };
          if (res.status === 200 && body.status && FINAL.has(body.status)) {
            this.apiFinal.set(a.uuid, { status: body.status, ...(body.orderNo ? { orderNo: body.orderNo } : {}), ...(body.reason ? { reason: body.reason } : {}) });
          }
          return;
        } catch {
          // that instance is not answering: ask the next
        }
      }
      failures++;
    });
    for (const [uuid, o] of this.apiFinal) s.api[uuid] = o;
    if (failures > 0) throw new Error(`${failures} outcomes could not be polled from any order-api`);
  }

  close(): void {
    this.redis.disconnect();
  }
}
