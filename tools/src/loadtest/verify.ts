import { setTimeout as sleep } from 'node:timers/promises';
import Redis from 'ioredis';
import { Client } from 'pg';
import type { OrderResult } from '@seckill/contracts';
import { request } from '@seckill/testing';
import type { RequestRecord } from './protocol';
import { bounded } from './sockets';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface VerifyInput {
  api: string;
  databaseUrl: string;
  redisUrl: string;
  redisKeyPrefix: string;
  goodId: number;
  stock: number;
  records: readonly RequestRecord[];
  tokenOf: (userId: number) => string;
  /** How long Redis may take to converge (a FAIL's unit is released after the outcome is published). */
  settleMs?: number;
}

const n = (x: number) => x.toLocaleString('en-US');

/**
 * The sale's invariants, checked from three sides: what the shoppers saw (HTTP answers and pushed frames), what
 * the API says now, and what PostgreSQL and Redis hold. Each check says what it compared, pass or fail.
 */
export async function verify(input: VerifyInput): Promise<Check[]> {
  const { records, goodId, stock } = input;
  const checks: Check[] = [];
  const add = (name: string, ok: boolean, detail: string) => checks.push({ name, ok, detail });

  const answered = records.filter((r) => r.status !== undefined);
  const transport = records.filter((r) => r.error !== undefined);
  const notSent = records.filter((r) => r.sentAt === undefined && r.status === undefined && r.error === undefined).length;
  const unanswered = records.length - answered.length - transport.length - notSent;
  add(
    'every order request was answered',
    answered.length === records.length,
    `${n(answered.length)} of ${n(records.length)} got an HTTP status` +
      (transport.length ? `; ${n(transport.length)} failed on the transport (${[...new Set(transport.map((r) => r.error))].join(', ')})` : '') +
      (unanswered > 0 ? `; ${n(unanswered)} sent but never answered` : '') +
      (notSent > 0 ? `; ${n(notSent)} never sent (the run stopped first)` : ''),
  );

  const serverErrors = answered.filter((r) => r.status! >= 500 && !(r.status === 503 && r.code === 'TRY_AGAIN'));
  add('no 5xx (503 TRY_AGAIN allowed by the contract)', serverErrors.length === 0, serverErrors.length ? `${n(serverErrors.length)} answers: ${[...new Set(serverErrors.map((r) => `${r.status} ${r.code ?? ''}`))].join(', ')}` : 'none');

  const accepted = records.filter((r) => r.status === 202);
  const withOutcome = accepted.filter((r) => r.outcome);
  const pushed = withOutcome.filter((r) => r.outcome!.via === 'push').length;
  add(
    'every 202 got its outcome',
    withOutcome.length === accepted.length,
    `${n(withOutcome.length)} of ${n(accepted.length)} (${n(pushed)} pushed on the socket, ${n(withOutcome.length - pushed)} polled after a drop)`,
  );

  const wrongUuid = accepted.filter((r) => r.uuid !== r.requestId);
  add('the 202 carries the client-chosen requestId as uuid', wrongUuid.length === 0, wrongUuid.length ? `${n(wrongUuid.length)} differ` : `${n(accepted.length)} of ${n(accepted.length)}`);

  const conflicts = records.reduce((a, r) => a + r.conflictingFrames, 0);
  add('no socket got two different outcomes', conflicts === 0, conflicts ? `${n(conflicts)} conflicting frames` : 'none');

  // The polling API must tell every shopper the same as the socket did.
  let disagree = 0;
  let apiErrors = 0;
  const sample: string[] = [];
  await bounded(withOutcome, 32, async (r) => {
    const res = await request<OrderResult>(input.api, 'GET', `/api/seckill/orders/${r.requestId}`, { token: input.tokenOf(r.userId) }).catch(() => null);
    if (!res || res.status !== 200) return void apiErrors++;
    const o = r.outcome!;
    if (res.body.status !== o.status || (res.body.orderNo ?? undefined) !== o.orderNo || (res.body.reason ?? undefined) !== o.reason) {
      disagree++;
      if (sample.length < 3) sample.push(`${r.requestId}: socket ${o.status}/${o.orderNo ?? o.reason}, API ${res.body.status}/${res.body.orderNo ?? res.body.reason}`);
    }
  });
  add(
    'the API agrees with every outcome the shoppers saw',
    disagree === 0 && apiErrors === 0,
    `${n(withOutcome.length - disagree - apiErrors)} of ${n(withOutcome.length)} agree` + (apiErrors ? `, ${n(apiErrors)} not readable` : '') + (sample.length ? `; e.g. ${sample.join('; ')}` : ''),
  );

  const db = new Client({ connectionString: input.databaseUrl });
  await db.connect();
  try {
    const [good] = (await db.query<{ stock_total: number; stock_left: number }>(`SELECT stock_total, stock_left FROM seckill_goods WHERE id = $1`, [goodId])).rows;
    const orders = (await db.query<{ order_no: string; user_id: string }>(`SELECT order_no, user_id FROM orders WHERE seckill_good_id = $1`, [goodId])).rows;
    const sold = orders.length;
    const left = good?.stock_left ?? NaN;
    const demandCovers = records.length >= stock;
    add(
      demandCovers ? 'sold = stock' : 'sold + left = stock (demand below stock)',
      good !== undefined && sold + left === good.stock_total && good.stock_total === stock && (!demandCovers || sold === stock),
      `${n(sold)} orders in PostgreSQL, stock_left ${n(left)}, stock ${n(stock)}`,
    );

    const users = new Set(orders.map((o) => o.user_id));
    const successes = withOutcome.filter((r) => r.outcome!.status === 'SUCCESS');
    const successUsers = new Set(successes.map((r) => r.userId));
    add(
      'nobody bought twice',
      users.size === orders.length && successUsers.size === successes.length,
      `${n(orders.length)} orders for ${n(users.size)} shoppers; ${n(successes.length)} SUCCESS outcomes for ${n(successUsers.size)} shoppers`,
    );

    const inDb = new Map(orders.map((o) => [o.order_no, Number(o.user_id)]));
    const mismatched = successes.filter((r) => inDb.get(r.outcome!.orderNo ?? '') !== r.userId);
    add(
      'every SUCCESS is an order in PostgreSQL and vice versa',
      mismatched.length === 0 && successes.length === orders.length,
      `${n(successes.length)} SUCCESS outcomes, ${n(orders.length)} orders` + (mismatched.length ? `, ${n(mismatched.length)} without a matching order` : ''),
    );

    // A FAIL's unit goes back to Redis after the outcome is published: allow that moment to pass.
    const redis = new Redis(input.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
    try {
      await redis.connect();
      const key = `${input.redisKeyPrefix}{good:${goodId}}:stock`;
      const deadline = Date.now() + (input.settleMs ?? 10_000);
      let redisLeft: string | null = null;
      let dbLeft = left;
      for (;;) {
        redisLeft = await redis.get(key);
        dbLeft = (await db.query<{ stock_left: number }>(`SELECT stock_left FROM seckill_goods WHERE id = $1`, [goodId])).rows[0]?.stock_left ?? NaN;
        if (Number(redisLeft) === dbLeft || Date.now() > deadline) break;
        await sleep(250);
      }
      add('Redis = PostgreSQL', redisLeft !== null && Number(redisLeft) === dbLeft, `Redis ${key} = ${redisLeft ?? '(missing)'}, seckill_goods.stock_left = ${dbLeft}`);
    } finally {
      redis.disconnect();
    }
  } finally {
    await db.end();
  }
  return checks;
}
