import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { OrderRequestRepository } from './order-requests.repository';
import { OrderRepository } from './orders.repository';
import { ownDatabase, seedFailure, seedItem, seedOrder, seedUser, type OwnDatabase } from './own-database';

let env: OwnDatabase;
let requests: OrderRequestRepository;
let orders: OrderRepository;
let itemId: number;

before(async () => {
  env = await ownDatabase('orderrequests');
  requests = new OrderRequestRepository(env.db);
  orders = new OrderRepository(env.db);
  itemId = await seedItem(env.db, { stock: 100 });
});
after(() => env.cleanup());

describe('OrderRequestRepository', () => {
  it('reads a success with the order number PostgreSQL assigned, and a failure with its reason', async () => {
    const userId = await seedUser(env.db);
    const sold = await seedOrder(env.db, { userId, itemId });
    const failed = await seedFailure(env.db, { userId, itemId, reason: 'ALREADY_ORDERED' });
    assert.deepEqual(await requests.outcome(sold.uuid), { uuid: sold.uuid, userId, seckillGoodId: itemId, status: 'SUCCESS', orderNo: sold.orderNo });
    assert.deepEqual(await requests.outcome(failed), { uuid: failed, userId, seckillGoodId: itemId, status: 'FAIL', reason: 'ALREADY_ORDERED' });
  });

  it('answers null for a request not decided yet', async () => {
    assert.equal(await requests.outcome(randomUUID()), null);
  });

  it('refuses a uuid that is not one (callers validate it first)', async () => {
    await assert.rejects(requests.outcome('not-a-uuid'), /invalid input syntax for type uuid/);
  });

  it('reads many outcomes at once, leaving out the undecided ones', async () => {
    const userId = await seedUser(env.db);
    const a = await seedOrder(env.db, { userId, itemId });
    const b = await seedFailure(env.db, { userId, itemId });
    const unknown = randomUUID();
    const found = await requests.outcomes([a.uuid, b, unknown]);
    assert.deepEqual([...found.keys()].sort(), [a.uuid, b].sort());
    assert.equal(found.get(b)?.status, 'FAIL');
    assert.equal((await requests.outcomes([])).size, 0);
  });

  it('reads the current status of the order each success created; a failure has none', async () => {
    const userId = await seedUser(env.db);
    const toPay = await seedOrder(env.db, { userId, itemId });
    const other = await seedUser(env.db);
    const toCancel = await seedOrder(env.db, { userId: other, itemId });
    const failed = await seedFailure(env.db, { userId, itemId });
    const before = await requests.outcomesWithOrderStatus([toPay.uuid, toCancel.uuid, failed]);
    assert.equal(before.get(toPay.uuid)?.orderStatus, 'UNPAID');
    assert.equal(before.get(failed)?.orderStatus, null);
    assert.equal(before.get(failed)?.outcome.status, 'FAIL');
    assert.ok(await orders.pay(toPay.orderNo, userId));
    assert.ok(await orders.close(toCancel.orderNo, 'CANCELLED', other));
    const after = await requests.outcomesWithOrderStatus([toPay.uuid, toCancel.uuid, randomUUID()]);
    assert.equal(after.size, 2);
    assert.equal(after.get(toPay.uuid)?.orderStatus, 'PAID');
    assert.equal(after.get(toCancel.uuid)?.orderStatus, 'CANCELLED');
    assert.deepEqual(after.get(toPay.uuid)?.outcome, { uuid: toPay.uuid, userId, seckillGoodId: itemId, status: 'SUCCESS', orderNo: toPay.orderNo });
    assert.equal((await requests.outcomesWithOrderStatus([])).size, 0);
  });
});
