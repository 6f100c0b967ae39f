import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { liveKey, OrderBatchRepository, type BatchCandidate, type BatchPlan, type BatchPlanner, type PlannedDecision } from './order-batches.repository';
import { lockWaiters, ownDatabase, seedItem, seedOrder, seedUser, type OwnDatabase } from './own-database';

const WINDOW_SECONDS = 900;
let env: OwnDatabase;
let batches: OrderBatchRepository;

before(async () => {
  env = await ownDatabase('orderbatches', 12);
  batches = new OrderBatchRepository(env.db, WINDOW_SECONDS);
});
after(() => env.cleanup());

/** The domain's rule in miniature: sell while units are left, one live order per shopper, unknown items fail. */
const sellWhileLeft: BatchPlanner<BatchCandidate> = (candidates, items, live) => {
  const left = new Map([...items].map(([id, i]) => [id, i.stockLeft]));
  const taken = new Set(live);
  const decrements = new Map<number, number>();
  const decisions = candidates.map((c): PlannedDecision => {
    const item = items.get(c.seckillGoodId);
    const key = liveKey(c.seckillGoodId, c.userId);
    if (!item) return { ...c, status: 'FAIL', reason: 'SALE_ENDED' };
    if (taken.has(key)) return { ...c, status: 'FAIL', reason: 'ALREADY_ORDERED' };
    if ((left.get(item.id) ?? 0) <= 0) return { ...c, status: 'FAIL', reason: 'SOLD_OUT' };
    left.set(item.id, left.get(item.id)! - 1);
    taken.add(key);
    decrements.set(item.id, (decrements.get(item.id) ?? 0) + 1);
    return { ...c, status: 'SUCCESS', amount: item.seckillPrice };
  });
  return { decisions, decrements };
};

async function count(sql: string, params: unknown[]): Promise<number> {
  const [row]: { n: number }[] = await env.db.query(`SELECT count(*)::int AS n FROM (${sql}) q`, params);
  return row!.n;
}
async function stockLeft(itemId: number): Promise<number> {
  const [row]: { stock_left: number }[] = await env.db.query(`SELECT stock_left FROM seckill_goods WHERE id = $1`, [itemId]);
  return row!.stock_left;
}
const candidate = (userId: number, seckillGoodId: number): BatchCandidate => ({ uuid: randomUUID(), userId, seckillGoodId });

describe('OrderBatchRepository.decideAndRecord', () => {
  it('records each decision with the order it created, takes the units and starts the payment window', async () => {
    const itemId = await seedItem(env.db, { stock: 2 });
    const users = [await seedUser(env.db), await seedUser(env.db), await seedUser(env.db)];
    const cands = users.map((u) => candidate(u, itemId));
    const started = Date.now();
    const { decided, replayed } = await batches.decideAndRecord(cands, sellWhileLeft);
    assert.deepEqual(replayed, []);
    assert.deepEqual(decided.map((d) => d.status), ['SUCCESS', 'SUCCESS', 'FAIL']);
    assert.deepEqual(decided[2], { ...cands[2], status: 'FAIL', reason: 'SOLD_OUT' });
    assert.equal(await stockLeft(itemId), 0);
    const rows: { uuid: string; order_no: string; amount: string; status: string; pay_deadline: Date }[] = await env.db.query(
      `SELECT uuid, order_no, amount, status, pay_deadline FROM orders WHERE seckill_good_id = $1 ORDER BY id`,
      [itemId],
    );
    assert.deepEqual(
      rows.map((r) => [r.uuid, r.order_no, r.amount, r.status]),
      decided.slice(0, 2).map((d) => [d.uuid, d.status === 'SUCCESS' ? d.orderNo : '', '9.90', 'UNPAID']),
    );
    for (const r of rows) {
      const window = r.pay_deadline.getTime() - started;
      assert.ok(window > (WINDOW_SECONDS - 5) * 1000 && window < (WINDOW_SECONDS + 5) * 1000, `deadline ${window} ms away`);
    }
    const recorded = await batches.recorded(cands.map((c) => c.uuid));
    assert.deepEqual([...recorded.values()].sort((a, b) => a.uuid.localeCompare(b.uuid)), [...decided].sort((a, b) => a.uuid.localeCompare(b.uuid)));
  });

  it('hands the planner the locked items (unknown ones absent) and the live orders of these shoppers', async () => {
    const itemId = await seedItem(env.db, { stock: 5 });
    const holder = await seedUser(env.db);
    const fresh = await seedUser(env.db);
    await seedOrder(env.db, { userId: holder, itemId });
    let seen: { items: string; live: string[] } | undefined;
    const { decided } = await batches.decideAndRecord([candidate(holder, itemId), candidate(fresh, itemId), candidate(fresh, 999_999)], (c, items, live) => {
      seen = { items: JSON.stringify([...items.values()]), live: [...live] };
      return sellWhileLeft(c, items, live);
    });
    assert.deepEqual(JSON.parse(seen!.items), [{ id: itemId, stockLeft: 4, seckillPrice: '9.90' }]);
    assert.deepEqual(seen!.live, [liveKey(itemId, holder)]);
    assert.deepEqual(decided.map((d) => (d.status === 'FAIL' ? d.reason : d.status)), ['ALREADY_ORDERED', 'SUCCESS', 'SALE_ENDED']);
  });

  it('replays a batch delivered again instead of deciding it twice, without asking the planner', async () => {
    const itemId = await seedItem(env.db, { stock: 5 });
    const cands = [candidate(await seedUser(env.db), itemId), candidate(await seedUser(env.db), itemId)];
    const first = await batches.decideAndRecord(cands, sellWhileLeft);
    let planned = 0;
    const again = await batches.decideAndRecord(cands, (c, i, l) => (planned++, sellWhileLeft(c, i, l)));
    assert.equal(planned, 0);
    assert.deepEqual(again.decided, []);
    assert.deepEqual(new Set(again.replayed), new Set(first.decided));
    assert.equal(await stockLeft(itemId), 3);
    assert.equal(await count(`SELECT 1 FROM orders WHERE seckill_good_id = $1`, [itemId]), 2);
  });

  it('decides only the new candidates of a batch that mixes replays and new ones', async () => {
    const itemId = await seedItem(env.db, { stock: 5 });
    const old = candidate(await seedUser(env.db), itemId);
    await batches.decideAndRecord([old], sellWhileLeft);
    const fresh = candidate(await seedUser(env.db), itemId);
    let planned: string[] = [];
    const r = await batches.decideAndRecord([old, fresh], (c, i, l) => ((planned = c.map((x) => x.uuid)), sellWhileLeft(c, i, l)));
    assert.deepEqual(planned, [fresh.uuid]);
    assert.deepEqual(r.decided.map((d) => d.uuid), [fresh.uuid]);
    assert.deepEqual(r.replayed.map((d) => d.uuid), [old.uuid]);
  });

  it('rolls everything back when a decrement would take more than is left', async () => {
    const itemId = await seedItem(env.db, { stock: 1 });
    const cands = [candidate(await seedUser(env.db), itemId), candidate(await seedUser(env.db), itemId)];
    const overselling = (c: readonly BatchCandidate[]): BatchPlan => ({
      decisions: c.map((x) => ({ ...x, status: 'SUCCESS', amount: '9.90' })),
      decrements: new Map([[itemId, 2]]),
    });
    await assert.rejects(batches.decideAndRecord(cands, overselling), /conditional stock decrement refused/);
    assert.equal(await stockLeft(itemId), 1);
    assert.equal(await count(`SELECT 1 FROM orders WHERE seckill_good_id = $1`, [itemId]), 0);
    assert.equal((await batches.recorded(cands.map((c) => c.uuid))).size, 0);
  });

  it('rolls everything back when a plan sells one shopper two live orders (the one-live-order index)', async () => {
    const itemId = await seedItem(env.db, { stock: 5 });
    const user = await seedUser(env.db);
    const cands = [candidate(user, itemId), candidate(user, itemId)];
    const sellAll = (c: readonly BatchCandidate[]): BatchPlan => ({
      decisions: c.map((x) => ({ ...x, status: 'SUCCESS', amount: '9.90' })),
      decrements: new Map([[itemId, c.length]]),
    });
    await assert.rejects(batches.decideAndRecord(cands, sellAll), /orders_one_live_per_user_item/);
    assert.equal(await stockLeft(itemId), 5);
    assert.equal((await batches.recorded(cands.map((c) => c.uuid))).size, 0);
  });

  it('rolls back and rethrows when the planner throws', async () => {
    const itemId = await seedItem(env.db, { stock: 5 });
    const c = candidate(await seedUser(env.db), itemId);
    await assert.rejects(
      batches.decideAndRecord([c], () => {
        throw new Error('planner bug');
      }),
      /planner bug/,
    );
    assert.equal((await batches.recorded([c.uuid])).size, 0);
    // The connection went back to the pool usable: the next batch succeeds.
    assert.equal((await batches.decideAndRecord([c], sellWhileLeft)).decided[0]?.status, 'SUCCESS');
  });

  it('answers an empty map for no uuids', async () => {
    assert.equal((await batches.recorded([])).size, 0);
  });
});

describe('OrderBatchRepository: concurrent batches', () => {
  it('decides a message in two concurrent batches once: whichever locks the item second replays it', async () => {
    const itemId = await seedItem(env.db, { stock: 5 });
    const shared = candidate(await seedUser(env.db), itemId);
    const onlyA = candidate(await seedUser(env.db), itemId);
    const onlyB = candidate(await seedUser(env.db), itemId);
    // A transaction holds the item's row lock until both batches are inside theirs, waiting for it.
    const blocker = env.db.createQueryRunner();
    await blocker.connect();
    await blocker.startTransaction();
    await blocker.query(`SELECT 1 FROM seckill_goods WHERE id = $1 FOR UPDATE`, [itemId]);
    const racing = Promise.all([batches.decideAndRecord([shared, onlyA], sellWhileLeft), batches.decideAndRecord([shared, onlyB], sellWhileLeft)]);
    await lockWaiters(env.db, 2);
    await blocker.commitTransaction();
    await blocker.release();
    const [a, b] = await racing;
    const decidedShared = [...a.decided, ...b.decided].filter((d) => d.uuid === shared.uuid);
    const replayedShared = [...a.replayed, ...b.replayed].filter((d) => d.uuid === shared.uuid);
    assert.equal(decidedShared.length, 1);
    assert.deepEqual(replayedShared, decidedShared);
    assert.deepEqual(a.decided.map((d) => d.uuid).filter((u) => u !== shared.uuid), [onlyA.uuid]);
    assert.deepEqual(b.decided.map((d) => d.uuid).filter((u) => u !== shared.uuid), [onlyB.uuid]);
    assert.equal(await count(`SELECT 1 FROM orders WHERE uuid = $1`, [shared.uuid]), 1);
    assert.equal(await stockLeft(itemId), 2);
  });

  it('sells exactly the stock of a hot item to 60 shoppers in 6 concurrent batches', async () => {
    const itemId = await seedItem(env.db, { stock: 25 });
    const users: number[] = [];
    for (let i = 0; i < 60; i++) users.push(await seedUser(env.db));
    const cands = users.map((u) => candidate(u, itemId));
    const groups = Array.from({ length: 6 }, (_, g) => cands.filter((_, i) => i % 6 === g));
    const results = await Promise.all(groups.map((g) => batches.decideAndRecord(g, sellWhileLeft)));
    const all = results.flatMap((r) => r.decided);
    assert.equal(all.length, 60);
    assert.equal(all.filter((d) => d.status === 'SUCCESS').length, 25);
    assert.equal(all.filter((d) => d.status === 'FAIL' && d.reason === 'SOLD_OUT').length, 35);
    assert.equal(await stockLeft(itemId), 0);
    assert.equal(await count(`SELECT 1 FROM orders WHERE seckill_good_id = $1`, [itemId]), 25);
  });
});
