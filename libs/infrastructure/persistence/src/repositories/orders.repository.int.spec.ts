import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OrderRepository } from './orders.repository';
import { lockWaiters, ownDatabase, seedItem, seedOrder, seedUser, type OwnDatabase } from './own-database';

let env: OwnDatabase;
let orders: OrderRepository;

before(async () => {
  env = await ownDatabase('orders', 12);
  orders = new OrderRepository(env.db);
});
after(() => env.cleanup());

async function stockLeft(itemId: number): Promise<number> {
  const [row]: { stock_left: number }[] = await env.db.query(`SELECT stock_left FROM seckill_goods WHERE id = $1`, [itemId]);
  return row!.stock_left;
}

async function sold(spec: { payDeadline?: Date; status?: string } = {}) {
  const itemId = await seedItem(env.db, { stock: 5, name: 'Kettle' });
  const userId = await seedUser(env.db);
  const order = await seedOrder(env.db, { userId, itemId, ...spec });
  return { itemId, userId, ...order };
}

describe('OrderRepository.pay', () => {
  it('pays an UNPAID order of its owner once', async () => {
    const o = await sold();
    const paid = await orders.pay(o.orderNo, o.userId);
    assert.deepEqual(
      { uuid: paid?.uuid, userId: paid?.userId, seckillGoodId: paid?.seckillGoodId, orderNo: paid?.orderNo, name: paid?.name, status: paid?.status },
      { uuid: o.uuid, userId: o.userId, seckillGoodId: o.itemId, orderNo: o.orderNo, name: 'Kettle', status: 'PAID' },
    );
    assert.equal(await orders.pay(o.orderNo, o.userId), null, 'a second payment changes nothing');
    const mine = await orders.mine(o.userId, o.orderNo);
    assert.equal(mine?.status, 'PAID');
    assert.ok(mine?.paidAt instanceof Date);
    assert.equal(mine?.closedAt, null);
    assert.equal(await stockLeft(o.itemId), 4, 'a payment gives no unit back');
  });

  it("does not pay another shopper's order, an unknown one, or one past its deadline", async () => {
    const o = await sold();
    assert.equal(await orders.pay(o.orderNo, o.userId + 1000), null);
    assert.equal(await orders.pay('20260101999999999', o.userId), null);
    const late = await sold({ payDeadline: new Date(Date.now() - 1000) });
    assert.equal(await orders.pay(late.orderNo, late.userId), null);
    assert.equal((await orders.withStatus(o.orderNo))?.status, 'UNPAID');
    assert.equal((await orders.withStatus(late.orderNo))?.status, 'UNPAID');
  });

  it('does not pay a closed order', async () => {
    const o = await sold({ status: 'CANCELLED' });
    assert.equal(await orders.pay(o.orderNo, o.userId), null);
  });
});

describe('OrderRepository.close', () => {
  it('cancels an UNPAID order of its owner and gives its unit back, once', async () => {
    const o = await sold();
    assert.equal(await stockLeft(o.itemId), 4);
    const closed = await orders.close(o.orderNo, 'CANCELLED', o.userId);
    assert.deepEqual(
      { uuid: closed?.uuid, userId: closed?.userId, seckillGoodId: closed?.seckillGoodId, orderNo: closed?.orderNo, name: closed?.name, status: closed?.status },
      { uuid: o.uuid, userId: o.userId, seckillGoodId: o.itemId, orderNo: o.orderNo, name: 'Kettle', status: 'CANCELLED' },
    );
    assert.equal(await stockLeft(o.itemId), 5);
    assert.equal(await orders.close(o.orderNo, 'CANCELLED', o.userId), null);
    assert.equal(await orders.close(o.orderNo, 'TIMEOUT'), null);
    assert.equal(await stockLeft(o.itemId), 5, 'the unit came back once');
    const mine = await orders.mine(o.userId, o.orderNo);
    assert.equal(mine?.status, 'CANCELLED');
    assert.ok(mine?.closedAt instanceof Date);
  });

  it("times an order out whoever owns it once its deadline passed, but cancels only the owner's", async () => {
    const early = await sold();
    assert.equal(await orders.close(early.orderNo, 'TIMEOUT'), null, 'no timeout before the order’s own deadline');
    assert.equal((await orders.withStatus(early.orderNo))?.status, 'UNPAID');
    const o = await sold({ payDeadline: new Date(Date.now() - 1000) });
    assert.equal(await orders.close(o.orderNo, 'CANCELLED', o.userId + 1000), null);
    assert.equal(await stockLeft(o.itemId), 4);
    assert.ok(await orders.close(o.orderNo, 'TIMEOUT'));
    assert.equal((await orders.withStatus(o.orderNo))?.status, 'TIMEOUT');
    assert.equal(await stockLeft(o.itemId), 5);
  });

  it('closes neither a PAID order nor an unknown one', async () => {
    const o = await sold();
    assert.ok(await orders.pay(o.orderNo, o.userId));
    assert.equal(await orders.close(o.orderNo, 'TIMEOUT'), null);
    assert.equal(await orders.close(o.orderNo, 'CANCELLED', o.userId), null);
    assert.equal(await orders.close('20260101999999999', 'TIMEOUT'), null);
    assert.equal(await stockLeft(o.itemId), 4);
  });
});

describe('OrderRepository: concurrent transitions of one order', () => {
  // Before its deadline an order may be paid or cancelled (a timeout does not match it, so it does not even queue
  // on the row); after it, cancelled or timed out (a pay does not match). Each race: every call that matches waits
  // on the row lock at once, and exactly one wins.
  for (const [when, payDeadline] of [
    ['before its deadline', () => new Date(Date.now() + 600_000)],
    ['after its deadline', () => new Date(Date.now() - 1000)],
  ] as const) {
    it(`lets exactly one of pay, cancel and timeout win when they wait on the same row, ${when}`, async () => {
      const o = await sold({ payDeadline: payDeadline() });
      // A transaction holds the order's row lock, so the statements are all issued and waiting at once.
      const blocker = env.db.createQueryRunner();
      await blocker.connect();
      await blocker.startTransaction();
      await blocker.query(`SELECT 1 FROM orders WHERE order_no = $1 FOR UPDATE`, [o.orderNo]);
      const racing = Promise.all([orders.pay(o.orderNo, o.userId), orders.close(o.orderNo, 'CANCELLED', o.userId), orders.close(o.orderNo, 'TIMEOUT')]);
      await lockWaiters(env.db, 2);
      await blocker.commitTransaction();
      await blocker.release();
      const [paid, cancelled, timedOut] = await racing;
      assert.equal([paid, cancelled, timedOut].filter((r) => r !== null).length, 1);
      const status = (await orders.withStatus(o.orderNo))!.status;
      assert.equal(status, paid ? 'PAID' : cancelled ? 'CANCELLED' : 'TIMEOUT');
      assert.equal(await stockLeft(o.itemId), paid ? 4 : 5, 'a unit back only when it was closed');
      const pushes: { status: string }[] = await env.db.query(`SELECT status FROM order_status_outbox WHERE order_no = $1`, [o.orderNo]);
      assert.deepEqual(pushes.map((p) => p.status), [status], 'one push, the winner\'s: the losers wrote none');
    });
  }

  it('decides each of 40 orders once under pay/cancel/timeout races, the stock matching the closes', async () => {
    const itemId = await seedItem(env.db, { stock: 40 });
    const placed = [];
    for (let i = 0; i < 40; i++) {
      const userId = await seedUser(env.db);
      placed.push({ userId, ...(await seedOrder(env.db, { userId, itemId })) });
    }
    const results = await Promise.all(
      placed.map(async (o) => {
        const r = await Promise.all([orders.pay(o.orderNo, o.userId), orders.close(o.orderNo, 'CANCELLED', o.userId), orders.close(o.orderNo, 'TIMEOUT')]);
        return r.map((x) => x !== null);
      }),
    );
    assert.ok(results.every((r) => r.filter(Boolean).length === 1), 'one winner per order');
    const closed = results.filter(([paid]) => !paid).length;
    assert.equal(await stockLeft(itemId), closed);
  });
});

describe('OrderRepository: reading orders', () => {
  it('reads an order and its status whoever owns it; null when unknown', async () => {
    const o = await sold();
    assert.deepEqual(await orders.withStatus(o.orderNo), { uuid: o.uuid, userId: o.userId, seckillGoodId: o.itemId, orderNo: o.orderNo, status: 'UNPAID' });
    assert.equal(await orders.withStatus('20260101999999999'), null);
  });

  it("shows the owner's order with its item's name and never another shopper's", async () => {
    const o = await sold();
    const mine = await orders.mine(o.userId, o.orderNo);
    assert.equal(mine?.name, 'Kettle');
    assert.equal(mine?.amount, '9.90');
    assert.equal(mine?.uuid, o.uuid);
    assert.equal(mine?.seckillGoodId, o.itemId);
    assert.ok(mine!.payDeadline.getTime() > Date.now());
    assert.equal(await orders.mine(o.userId + 1000, o.orderNo), null);
    assert.equal(await orders.mine(o.userId, '20260101999999999'), null);
  });

  it("lists the owner's orders newest first (same instant: the later order first), at most `limit`", async () => {
    const userId = await seedUser(env.db);
    const other = await seedUser(env.db);
    const items = await Promise.all([1, 2, 3].map(() => seedItem(env.db)));
    const placed = [];
    for (const itemId of items) placed.push(await seedOrder(env.db, { userId, itemId }));
    await seedOrder(env.db, { userId: other, itemId: items[0]! });
    // The same created_at for all three: the order of insertion decides.
    await env.db.query(`UPDATE orders SET created_at = '2026-01-01T00:00:00Z' WHERE user_id = $1`, [userId]);
    const list = await orders.listMine(userId);
    assert.deepEqual(list.map((o) => o.orderNo), placed.map((p) => p.orderNo).reverse());
    assert.deepEqual((await orders.listMine(userId, 2)).map((o) => o.orderNo), [placed[2]!.orderNo, placed[1]!.orderNo]);
    assert.deepEqual(await orders.listMine(userId + 100_000), []);
  });
});
