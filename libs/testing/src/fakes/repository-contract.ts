import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FailReason } from '@seckill/contracts';
import type { NewSaleItem, OrderRepository, SaleItemRecord, OrderRequestRepository, SaleItemRepository, UserRepository } from '@seckill/persistence';
import type { Public } from './public';

/**
 * The repositories as the services see them, plus what only the worker's batch transaction writes (a sold unit,
 * a failed request). One implementation is PostgreSQL with the real repositories, the other the in-memory fakes:
 * the same suite runs against both, so a fake that drifts from the SQL fails here, not in production.
 */
export interface RepositoryWorld {
  saleItems: Public<SaleItemRepository>;
  orders: Public<OrderRepository>;
  requests: Public<OrderRequestRepository>;
  users: Public<UserRepository>;
  /** An UNPAID order of the item for the shopper, its SUCCESS outcome, and the unit taken from the item. */
  sell(spec: { userId: number; itemId: number; payDeadline?: Date }): Promise<{ orderNo: string; uuid: string }>;
  /** A FAIL outcome. */
  fail(spec: { userId: number; itemId: number; reason: FailReason }): Promise<string>;
  cleanup(): Promise<void>;
}

const HOUR = 3_600_000;

export function repositoryContract(name: string, makeWorld: () => Promise<RepositoryWorld>): void {
  describe(`repository contract: ${name}`, () => {
    let w: RepositoryWorld;
    before(async () => {
      w = await makeWorld();
    });
    after(() => w.cleanup());

    const item = (over: Partial<NewSaleItem> = {}): Promise<SaleItemRecord> =>
      w.saleItems.create({
        name: 'Lamp',
        price: '120.00',
        seckillPrice: '12.50',
        stock: 5,
        startTime: new Date(Date.now() - 60_000),
        endTime: new Date(Date.now() + HOUR),
        ...over,
      });
    const shopper = async (): Promise<number> => {
      const u = await w.users.createShopper(`s-${randomUUID()}`, 'h');
      assert.notEqual(u, 'taken');
      return (u as { id: number }).id;
    };

    describe('sale items', () => {
      it('creates an item with all its stock left, found again as exactly that record', async () => {
        const start = new Date(Date.now() - 1000);
        const end = new Date(Date.now() + HOUR);
        const created = await item({ startTime: start, endTime: end, stock: 7 });
        const noRoom = { enabled: false, admitPerSecond: 100, preQueueSeconds: 0 };
        assert.deepEqual(created, { id: created.id, name: 'Lamp', price: '120.00', seckillPrice: '12.50', stockTotal: 7, stockLeft: 7, startTime: start, endTime: end, room: noRoom });
        assert.deepEqual(await w.saleItems.find(created.id), created);
        assert.deepEqual(await w.saleItems.window(created.id), { id: created.id, startMs: start.getTime(), endMs: end.getTime(), room: noRoom });
      });

      it('keeps the waiting room with the item: on at creation, switched and retuned later, listed for the admitter while it matters', async () => {
        const withRoom = await item({ room: { admitPerSecond: 30, preQueueSeconds: 120 } });
        assert.deepEqual(withRoom.room, { enabled: true, admitPerSecond: 30, preQueueSeconds: 120 });
        const plain = await item();
        const ended = await item({ startTime: new Date(Date.now() - 3 * HOUR), endTime: new Date(Date.now() - HOUR), room: { admitPerSecond: 5, preQueueSeconds: 0 } });
        const set = await w.saleItems.setRoom(plain.id, { enabled: true, admitPerSecond: 7, preQueueSeconds: 0 });
        assert.deepEqual(set?.room, { enabled: true, admitPerSecond: 7, preQueueSeconds: 0 });
        assert.deepEqual((await w.saleItems.window(plain.id))?.room, set?.room);
        assert.equal(await w.saleItems.setRoom(987_654, { enabled: true, admitPerSecond: 7, preQueueSeconds: 0 }), null);
        const listed = (await w.saleItems.roomItems()).map((r) => r.id);
        assert.ok(listed.includes(withRoom.id) && listed.includes(plain.id), 'rooms on are listed');
        assert.ok(!listed.includes(ended.id), 'a room whose sale ended over a minute ago is not');
        await w.saleItems.setRoom(plain.id, { enabled: false, admitPerSecond: 7, preQueueSeconds: 0 });
        assert.equal((await w.saleItems.roomItems()).find((r) => r.id === plain.id)?.enabled, false, 'a room switched off within the hour is, as off');
        const neverOn = await item();
        assert.ok(!(await w.saleItems.roomItems()).some((r) => r.id === neverOn.id), 'an item that never had a room is not');
        assert.deepEqual(
          (await w.saleItems.roomItems()).find((r) => r.id === withRoom.id),
          { id: withRoom.id, startMs: withRoom.startTime.getTime(), endMs: withRoom.endTime.getTime(), enabled: true, admitPerSecond: 30, preQueueSeconds: 120 },
        );
      });

      it('answers null or false for an unknown item', async () => {
        assert.equal(await w.saleItems.find(987_654), null);
        assert.equal(await w.saleItems.window(987_654), null);
        assert.equal(await w.saleItems.snapshot(987_654), null);
        assert.equal(await w.saleItems.addStock(987_654, 1), false);
        assert.equal(await w.saleItems.withLoadLock(987_654, async (lock) => lock), null);
      });

      it('hands out records the caller may change without changing the item', async () => {
        const created = await item();
        const found = (await w.saleItems.find(created.id))!;
        found.stockLeft = 0;
        (await w.saleItems.list(500)).forEach((i) => (i.stockLeft = -1));
        assert.equal((await w.saleItems.find(created.id))?.stockLeft, 5);
      });

      it('refuses a window that ends when it starts', async () => {
        const at = new Date();
        await assert.rejects(item({ startTime: at, endTime: at }));
      });

      it('lists the latest start first (ties: the newer item first), at most `limit`', async () => {
        const start = new Date(Date.now() + 1000 * HOUR);
        const end = new Date(start.getTime() + HOUR);
        const a = await item({ startTime: new Date(start.getTime() - 1000), endTime: end });
        const b = await item({ startTime: start, endTime: end });
        const c = await item({ startTime: start, endTime: end });
        assert.deepEqual((await w.saleItems.list(3)).map((i) => i.id), [c.id, b.id, a.id]);
        assert.equal((await w.saleItems.list(2)).length, 2);
      });

      it('adds stock to the total and to what is left, and refuses to go below zero left', async () => {
        const created = await item({ stock: 2 });
        assert.equal(await w.saleItems.addStock(created.id, 3), true);
        assert.deepEqual(
          await w.saleItems.find(created.id).then((i) => [i?.stockTotal, i?.stockLeft]),
          [5, 5],
        );
        await assert.rejects(w.saleItems.addStock(created.id, -6));
        assert.equal((await w.saleItems.find(created.id))?.stockLeft, 5);
      });

      it('names the items on sale now or within the hour, in id order', async () => {
        const now = Date.now();
        const later = await item({ startTime: new Date(now + 2 * HOUR), endTime: new Date(now + 3 * HOUR) });
        const ended = await item({ startTime: new Date(now - 2 * HOUR), endTime: new Date(now - 1000) });
        const soon = await item({ startTime: new Date(now + HOUR / 2), endTime: new Date(now + 2 * HOUR) });
        const onSale = await item();
        const ids = await w.saleItems.liveIds();
        assert.ok(ids.includes(soon.id) && ids.includes(onSale.id));
        assert.ok(!ids.includes(later.id) && !ids.includes(ended.id));
        assert.deepEqual(ids, [...ids].sort((x, y) => x - y));
      });

      it('snapshots units left, live buyers and decided requests; a closed order is no longer live', async () => {
        const it1 = await item({ stock: 5 });
        const [u1, u2, u3] = [await shopper(), await shopper(), await shopper()];
        const a = await w.sell({ userId: u1, itemId: it1.id });
        const b = await w.sell({ userId: u2, itemId: it1.id });
        const failed = await w.fail({ userId: u3, itemId: it1.id, reason: 'SOLD_OUT' });
        const snap = (await w.saleItems.snapshot(it1.id))!;
        assert.equal(snap.stockLeft, 3);
        assert.deepEqual(sortBy(snap.live, 'uuid'), sortBy([{ userId: u1, uuid: a.uuid }, { userId: u2, uuid: b.uuid }], 'uuid'));
        assert.deepEqual([...snap.decided].sort(), [a.uuid, b.uuid, failed].sort());
        assert.ok(await w.orders.close(b.orderNo, 'CANCELLED', u2));
        const after = (await w.saleItems.snapshot(it1.id))!;
        assert.equal(after.stockLeft, 4);
        assert.deepEqual(after.live, [{ userId: u1, uuid: a.uuid }]);
        assert.deepEqual([...after.decided].sort(), [a.uuid, b.uuid, failed].sort());
      });

      it('reports an item loaded only after markLoaded, with its live buyers under the lock', async () => {
        const created = await item();
        const u = await shopper();
        const sold = await w.sell({ userId: u, itemId: created.id });
        await w.saleItems.withLoadLock(created.id, async (lock) => {
          assert.equal(lock?.loadedBefore, false);
          assert.equal(lock?.stockLeft, 4);
          assert.deepEqual(await lock!.liveBuyers(), [{ userId: u, uuid: sold.uuid }]);
          await lock!.markLoaded();
        });
        assert.equal(await w.saleItems.withLoadLock(created.id, async (lock) => lock?.loadedBefore), true);
      });

      it('sums orders and requests per item for the ops console, leaving out items ended over a day ago', async () => {
        const now = Date.now();
        const shown = await item({ startTime: new Date(now + 2000 * HOUR), endTime: new Date(now + 2001 * HOUR) });
        const old = await item({ startTime: new Date(now - 30 * HOUR), endTime: new Date(now - 25 * HOUR) });
        const [u1, u2, u3] = [await shopper(), await shopper(), await shopper()];
        const paid = await w.sell({ userId: u1, itemId: shown.id });
        assert.ok(await w.orders.pay(paid.orderNo, u1));
        await w.sell({ userId: u2, itemId: shown.id });
        await w.fail({ userId: u3, itemId: shown.id, reason: 'ALREADY_ORDERED' });
        const summary = await w.saleItems.opsSummary(500);
        assert.deepEqual(summary[0], {
          id: shown.id,
          name: 'Lamp',
          stockTotal: 5,
          stockLeft: 3,
          startTime: shown.startTime,
          endTime: shown.endTime,
          orders: { PAID: 1, UNPAID: 1 },
          requests: { SUCCESS: 2, FAIL: 1 },
          room: { enabled: false, admitPerSecond: 100, preQueueSeconds: 0 },
        });
        assert.equal(summary.find((s) => s.id === old.id), undefined);
      });
    });

    describe('orders', () => {
      const sold = async (payDeadline?: Date) => {
        const created = await item({ name: 'Clock', seckillPrice: '3.30' });
        const userId = await shopper();
        return { itemId: created.id, userId, ...(await w.sell({ userId, itemId: created.id, payDeadline })) };
      };
      const left = async (id: number) => (await w.saleItems.find(id))?.stockLeft;

      it('pays an UNPAID order of its owner once, and never another shopper’s or one past its deadline', async () => {
        const o = await sold();
        assert.equal(await w.orders.pay(o.orderNo, o.userId + 1), null);
        const change = await w.orders.pay(o.orderNo, o.userId);
        assert.ok(change);
        const { pushId, ...committed } = change;
        assert.equal(typeof pushId, 'string');
        assert.deepEqual(committed, await w.orders.mine(o.userId, o.orderNo), 'the order as the change committed it');
        assert.equal(await w.orders.pay(o.orderNo, o.userId), null);
        const late = await sold(new Date(Date.now() - 1000));
        assert.equal(await w.orders.pay(late.orderNo, late.userId), null);
        assert.equal(await w.orders.pay('20260101999999999', o.userId), null);
        const paid = await w.orders.mine(o.userId, o.orderNo);
        assert.equal(paid?.status, 'PAID');
        assert.ok(paid?.paidAt instanceof Date);
        assert.equal(await left(o.itemId), 4);
      });

      it('cancels (owner only) or times out an UNPAID order once, its unit back once', async () => {
        const o = await sold();
        assert.equal(await w.orders.close(o.orderNo, 'CANCELLED', o.userId + 1), null);
        const closed = await w.orders.close(o.orderNo, 'CANCELLED', o.userId);
        assert.ok(closed);
        const { pushId: closePush, ...committed } = closed;
        assert.equal(typeof closePush, 'string');
        assert.deepEqual(committed, await w.orders.mine(o.userId, o.orderNo), 'the order as the change committed it');
        assert.equal(committed.status, 'CANCELLED');
        assert.equal(await w.orders.close(o.orderNo, 'TIMEOUT'), null);
        assert.equal(await left(o.itemId), 5);
        const early = await sold();
        assert.equal(await w.orders.close(early.orderNo, 'TIMEOUT'), null, 'no timeout before the order’s own deadline');
        assert.equal((await w.orders.withStatus(early.orderNo))?.status, 'UNPAID');
        const t = await sold(new Date(Date.now() - 1000));
        assert.ok(await w.orders.close(t.orderNo, 'TIMEOUT'));
        assert.equal((await w.orders.withStatus(t.orderNo))?.status, 'TIMEOUT');
        assert.ok((await w.orders.mine(t.userId, t.orderNo))?.closedAt instanceof Date);
        assert.equal(await w.orders.close('20260101999999999', 'TIMEOUT'), null);
      });

      it('writes a status push with every change, due once old enough, until it is marked sent', async () => {
        const [p, c, t] = [await sold(), await sold(), await sold(new Date(Date.now() - 1000))];
        const changes = [
          await w.orders.pay(p.orderNo, p.userId),
          await w.orders.close(c.orderNo, 'CANCELLED', c.userId),
          await w.orders.close(t.orderNo, 'TIMEOUT'),
        ];
        assert.equal(await w.orders.pay(p.orderNo, p.userId), null, 'no change, no push');
        const ours = async (olderThanMs: number) =>
          (await w.orders.pendingPushes(olderThanMs)).filter((x) => [p, c, t].some((o) => o.orderNo === x.orderNo));
        assert.deepEqual(await ours(0), [
          { uuid: p.uuid, userId: p.userId, seckillGoodId: p.itemId, orderNo: p.orderNo, pushId: changes[0]!.pushId, status: 'PAID' },
          { uuid: c.uuid, userId: c.userId, seckillGoodId: c.itemId, orderNo: c.orderNo, pushId: changes[1]!.pushId, status: 'CANCELLED' },
          { uuid: t.uuid, userId: t.userId, seckillGoodId: t.itemId, orderNo: t.orderNo, pushId: changes[2]!.pushId, status: 'TIMEOUT' },
        ]);
        assert.deepEqual(await ours(60_000), [], 'not yet the relay\'s');
        await w.orders.pushSent(changes[1]!.pushId);
        await w.orders.pushSent(changes[1]!.pushId);
        assert.deepEqual((await ours(0)).map((x) => x.status), ['PAID', 'TIMEOUT']);
      });

      it('closes no PAID order', async () => {
        const o = await sold();
        assert.ok(await w.orders.pay(o.orderNo, o.userId));
        assert.equal(await w.orders.close(o.orderNo, 'TIMEOUT'), null);
        assert.equal(await w.orders.close(o.orderNo, 'CANCELLED', o.userId), null);
        assert.equal(await left(o.itemId), 4);
      });

      it('shows the owner its order with the item’s name and price, and no one else', async () => {
        const o = await sold();
        const mine = await w.orders.mine(o.userId, o.orderNo);
        assert.deepEqual(
          { orderNo: mine?.orderNo, uuid: mine?.uuid, userId: mine?.userId, seckillGoodId: mine?.seckillGoodId, name: mine?.name, amount: mine?.amount, status: mine?.status },
          { orderNo: o.orderNo, uuid: o.uuid, userId: o.userId, seckillGoodId: o.itemId, name: 'Clock', amount: '3.30', status: 'UNPAID' },
        );
        assert.equal(mine?.paidAt, null);
        assert.equal(mine?.closedAt, null);
        assert.equal(await w.orders.mine(o.userId + 1, o.orderNo), null);
        assert.deepEqual(await w.orders.withStatus(o.orderNo), { uuid: o.uuid, userId: o.userId, seckillGoodId: o.itemId, orderNo: o.orderNo, status: 'UNPAID' });
        assert.equal(await w.orders.withStatus('20260101999999999'), null);
      });

      it('lists the owner’s orders newest first, at most `limit`', async () => {
        const userId = await shopper();
        const placed = [];
        for (let i = 0; i < 3; i++) placed.push(await w.sell({ userId, itemId: (await item()).id }));
        assert.deepEqual((await w.orders.listMine(userId)).map((o) => o.orderNo), placed.map((p) => p.orderNo).reverse());
        assert.deepEqual((await w.orders.listMine(userId, 1)).map((o) => o.orderNo), [placed[2]!.orderNo]);
        assert.deepEqual(await w.orders.listMine(await shopper()), []);
      });
    });

    describe('order requests', () => {
      it('reads outcomes one by one and many at once; undecided ones are absent', async () => {
        const created = await item();
        const u = await shopper();
        const sold = await w.sell({ userId: u, itemId: created.id });
        const failed = await w.fail({ userId: u, itemId: created.id, reason: 'ALREADY_ORDERED' });
        assert.deepEqual(await w.requests.outcome(sold.uuid), { uuid: sold.uuid, userId: u, seckillGoodId: created.id, status: 'SUCCESS', orderNo: sold.orderNo });
        assert.deepEqual(await w.requests.outcome(failed), { uuid: failed, userId: u, seckillGoodId: created.id, status: 'FAIL', reason: 'ALREADY_ORDERED' });
        assert.equal(await w.requests.outcome(randomUUID()), null);
        const many = await w.requests.outcomes([sold.uuid, failed, randomUUID()]);
        assert.deepEqual([...many.keys()].sort(), [sold.uuid, failed].sort());
        assert.equal((await w.requests.outcomes([])).size, 0);
      });

      it('reads the current status of the order a success created; none for a failure', async () => {
        const created = await item();
        const [u1, u2] = [await shopper(), await shopper()];
        const paid = await w.sell({ userId: u1, itemId: created.id });
        const cancelled = await w.sell({ userId: u2, itemId: created.id });
        const failed = await w.fail({ userId: u1, itemId: created.id, reason: 'SOLD_OUT' });
        assert.equal((await w.requests.outcomesWithOrderStatus([paid.uuid])).get(paid.uuid)?.orderStatus, 'UNPAID');
        assert.ok(await w.orders.pay(paid.orderNo, u1));
        assert.ok(await w.orders.close(cancelled.orderNo, 'CANCELLED', u2));
        const found = await w.requests.outcomesWithOrderStatus([paid.uuid, cancelled.uuid, failed, randomUUID()]);
        assert.deepEqual(
          [...found.entries()].map(([uuid, f]) => [uuid, f.outcome.status, f.orderStatus]).sort(),
          [
            [paid.uuid, 'SUCCESS', 'PAID'],
            [cancelled.uuid, 'SUCCESS', 'CANCELLED'],
            [failed, 'FAIL', null],
          ].sort(),
        );
      });
    });

    describe('users', () => {
      it("creates a shopper, finds it, and answers 'taken' for its name again", async () => {
        const name = `alice-${randomUUID()}`;
        const created = await w.users.createShopper(name, 'h1');
        assert.notEqual(created, 'taken');
        assert.deepEqual(created, { id: (created as { id: number }).id, username: name, passwordHash: 'h1', role: 'shopper' });
        assert.deepEqual(await w.users.findByUsername(name), created);
        assert.equal(await w.users.createShopper(name, 'h2'), 'taken');
        assert.equal((await w.users.findByUsername(name))?.passwordHash, 'h1');
        assert.equal(await w.users.findByUsername(name.toUpperCase()), null, 'usernames are case-sensitive');
        assert.equal(await w.users.findByUsername(`nobody-${randomUUID()}`), null);
      });

      it('creates the admin, re-applies its password on every start, and never takes a shopper of that name', async () => {
        const name = `root-${randomUUID()}`;
        assert.equal(await w.users.applyAdmin(name, 'h1'), 'created');
        const id = (await w.users.findByUsername(name))?.id;
        assert.equal(await w.users.applyAdmin(name, 'h2'), 'updated');
        assert.deepEqual(await w.users.findByUsername(name).then((u) => [u?.id, u?.role, u?.passwordHash]), [id, 'admin', 'h2']);
        const shopperName = `eve-${randomUUID()}`;
        await w.users.createShopper(shopperName, 'hs');
        assert.equal(await w.users.applyAdmin(shopperName, 'ha'), 'name-taken');
        assert.deepEqual(await w.users.findByUsername(shopperName).then((u) => [u?.role, u?.passwordHash]), ['shopper', 'hs']);
      });
    });
  });
}

function sortBy<T>(list: readonly T[], key: keyof T): T[] {
  return [...list].sort((a, b) => String(a[key]).localeCompare(String(b[key])));
}
