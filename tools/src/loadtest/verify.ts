import { setTimeout as sleep } from 'node:timers/promises';
import { createRedisClient } from '@seckill/redis';
import { Client } from 'pg';
import type { OrderResult } from '@seckill/contracts';
import { request } from '@seckill/testing';
import type { RequestRecord } from './protocol';
import { bounded } from './sockets';
import type { SystemUnderTest } from './system';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface VerifyInput {
  api: string;
  databaseUrl: string;
  redisUrl: string;
  redisClusterNodes?: string | undefined;
  redisKeyPrefix: string;
  itemId: number;
  stock: number;
  records: readonly RequestRecord[];
  tokenOf: (userId: number) => string;
  /** How long Redis may take to converge (a FAIL's unit is released after the outcome is published). */
  settleMs?: number;
}

const n = (x: number) => x.toLocaleString('en-US');

/**
 * `verify` against a system under test (its first order-api, its stores); a verification that cannot run at all
 * (a store unreachable) is itself one failed check rather than an exception.
 */
export function verifySale(
  sys: Pick<SystemUnderTest, 'apis' | 'databaseUrl' | 'redisUrl' | 'redisClusterNodes' | 'redisKeyPrefix'>,
  sale: Pick<VerifyInput, 'itemId' | 'stock' | 'records' | 'tokenOf' | 'settleMs'>,
): Promise<Check[]> {
  const api = sys.apis[0];
  if (api === undefined) return Promise.resolve([{ name: 'verification ran', ok: false, detail: 'the system has no order-api' }]);
  const { databaseUrl, redisUrl, redisClusterNodes, redisKeyPrefix } = sys;
  return verify({ api, databaseUrl, redisUrl, redisClusterNodes, redisKeyPrefix, ...sale }).catch((err: unknown) => [
    { name: 'verification ran', ok: false, detail: err instanceof Error ? err.message : String(err) },
  ]);
}

/**
 * The sale's invariants, checked from three sides: what the shoppers saw (HTTP answers and pushed frames), what
 * the API says now, and what PostgreSQL and Redis hold. Each check says what it compared, pass or fail.
 */
export async function verify(input: VerifyInput): Promise<Check[]> {
  const { records, itemId, stock } = input;
  const checks: Check[] = [];
  const add = (name: string, ok: boolean, detail: string) => checks.push({ name, ok, detail });

  const answered = records.filter((r) => r.status !== undefined);
  const transport = records.filter((r) => r.error !== undefined);
  const notSent = records.filter((r) => r.sentAt === undefined && r.status === undefined && r.error === undefined).length;
  const unanswered = records.length - answered.length - transport.length - notSent;
  const gaveUp = records.filter((r) => r.gaveUp !== undefined);
  add(
    'every order request was answered',
    answered.length === records.length,
    `${n(answered.length)} of ${n(records.length)} got an HTTP status` +
      (gaveUp.length ? ` (${n(gaveUp.length)} of them last answered 503 TRY_AGAIN: the shopper gave up, ${gaveUpWhy(gaveUp)})` : '') +
      (transport.length ? `; ${n(transport.length)} failed on the transport (${[...new Set(transport.map((r) => r.error))].join(', ')})` : '') +
      (unanswered > 0 ? `; ${n(unanswered)} sent but never answered` : '') +
      (notSent > 0 ? `; ${n(notSent)} never sent (the run stopped first)` : ''),
  );

  const serverErrors = answered.filter((r) => r.status! >= 500 && !(r.status === 503 && r.code === 'TRY_AGAIN'));
  // A retried answer is a 503 TRY_AGAIN by construction: only the last answers can be anything else.
  const tryAgain = answered.filter((r) => r.status === 503 && r.code === 'TRY_AGAIN').length + records.reduce((a, r) => a + (r.retried?.length ?? 0), 0);
  add(
    'no 5xx (503 TRY_AGAIN allowed by the contract)',
    serverErrors.length === 0,
    (serverErrors.length ? `${n(serverErrors.length)} answers: ${[...new Set(serverErrors.map((r) => `${r.status} ${r.code ?? ''}`))].join(', ')}` : 'none') +
      (tryAgain ? ` (${n(tryAgain)} × 503 TRY_AGAIN)` : ''),
  );

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
    const [good] = (await db.query<{ stock_total: number; stock_left: number }>(`SELECT stock_total, stock_left FROM seckill_goods WHERE id = $1`, [itemId])).rows;
    const orders = (await db.query<{ order_no: string; user_id: string }>(`SELECT order_no, user_id FROM orders WHERE seckill_good_id = $1`, [itemId])).rows;
    const sold = orders.length;
    const left = good?.stock_left ?? NaN;
    checks.push(soldCheck(records, { sold, left, stockTotal: good?.stock_total, stock }));

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
    const redis = createRedisClient({ url: input.redisUrl, clusterNodes: input.redisClusterNodes }, 'loadtest-verify');
    redis.on('error', () => undefined);
    try {
      const key = `${input.redisKeyPrefix}{good:${itemId}}:stock`;
      const deadline = Date.now() + (input.settleMs ?? 10_000);
      let redisLeft: string | null = null;
      let dbLeft = left;
      for (;;) {
        redisLeft = await redis.get(key);
        dbLeft = (await db.query<{ stock_left: number }>(`SELECT stock_left FROM seckill_goods WHERE id = $1`, [itemId])).rows[0]?.stock_left ?? NaN;
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

function gaveUpWhy(gaveUp: readonly RequestRecord[]): string {
  const outOfRetries = gaveUp.filter((r) => r.gaveUp === 'retries');
  const attempts = new Set(outOfRetries.map((r) => (r.retried?.length ?? 0) + 1));
  return [
    outOfRetries.length ? `${n(outOfRetries.length)} after ${[...attempts].sort((a, b) => a - b).join('/')} attempts` : '',
    outOfRetries.length < gaveUp.length ? `${n(gaveUp.length - outOfRetries.length)} when the run's time was up` : '',
  ]
    .filter(Boolean)
    .join(', ');
}

/**
 * Units sold against the stock. Always: sold + left = stock. When the demand covers the stock, also sold =
 * stock; if units are left, the detail says whether anything explains it (see `whyUnsold`), but the check fails
 * either way: a shopper turned away while units remained is what a flash sale must not do.
 */
export function soldCheck(records: readonly RequestRecord[], db: { sold: number; left: number; stockTotal: number | undefined; stock: number }): Check {
  const { sold, left, stock } = db;
  const demandCovers = records.length >= stock;
  const conserved = db.stockTotal !== undefined && sold + left === db.stockTotal && db.stockTotal === stock;
  return {
    name: demandCovers ? 'sold = stock' : 'sold + left = stock (demand below stock)',
    ok: conserved && (!demandCovers || sold === stock),
    detail:
      `${n(sold)} orders in PostgreSQL, stock_left ${n(left)}, stock ${n(stock)}` +
      (conserved ? '' : '; sold + left ≠ stock') +
      (demandCovers && sold < stock ? `; ${whyUnsold(records, stock - sold)}` : ''),
  };
}

/**
 * Why units are left although the demand covered the stock. When every shopper got a final answer, nothing
 * excuses it. A unit given back after others were refused (a 503 whose reservation was released, an accepted
 * order that ended FAIL) is sold only if somebody asks again; a shopper who gave up, or never got an answer,
 * did not, so each of them may account for one unit: the check cannot hold then, and says so.
 */
function whyUnsold(records: readonly RequestRecord[], unsold: number): string {
  const gaveUp = records.filter((r) => r.gaveUp !== undefined);
  const noAnswer = records.filter((r) => r.status === undefined && !r.outcome);
  const failed = records.filter((r) => r.status === 202 && r.outcome?.status === 'FAIL').length;
  const accounted = gaveUp.length + noAnswer.length + failed;
  const parts = [
    gaveUp.length ? `${n(gaveUp.length)} shoppers gave up on 503 TRY_AGAIN (${gaveUpWhy(gaveUp)})` : '',
    noAnswer.length ? `${n(noAnswer.length)} never got an answer` : '',
    failed ? `${n(failed)} accepted orders ended FAIL` : '',
  ].filter(Boolean);
  if (gaveUp.length + noAnswer.length === 0) {
    return `${n(unsold)} units unsold although every shopper got a final answer` + (failed ? ` (${n(failed)} accepted orders ended FAIL and gave their units back after others were refused)` : '');
  }
  return (
    `cannot hold: ${n(unsold)} units unsold while ${parts.join(', ')}; a unit given back after others were refused sells only to a shopper who asks again` +
    (unsold > accounted ? `; ${n(unsold - accounted)} more units than they account for were refused while in stock` : '')
  );
}
