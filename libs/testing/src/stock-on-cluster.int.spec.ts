import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createRedisClient, isCluster, scanKeys, type RedisClient } from '@seckill/redis';
import { StockKeys, StockService } from '@seckill/stock';
import { PrivateRedisCluster } from './private-redis-cluster';

/**
 * Every stock script on a real Redis Cluster (three masters): a script whose keys crossed slots would fail here
 * with CROSSSLOT. It lives in the testing library because the stock library may not depend on it (the cluster
 * starter is here). Items are chosen so that they sit on different masters.
 */
let cluster: PrivateRedisCluster;
const clients: RedisClient[] = [];
let services: StockService[] = [];
const keys = new StockKeys(`test:stock-cluster-${randomUUID().slice(0, 8)}:`);
const svc = (i: number) => services[i % services.length]!;

before(async () => {
  cluster = await PrivateRedisCluster.start({ masters: 3 });
  for (let i = 0; i < 4; i++) clients.push(createRedisClient({ url: cluster.url, clusterNodes: cluster.seedNodes }, `stock-cluster-${i}`));
  services = clients.map((c) => new StockService(c, keys));
  await Promise.all(clients.map((c) => c.ping()));
});

after(async () => {
  clients.forEach((c) => c.disconnect());
  await cluster?.stop();
});

/** Items whose keys are served by different masters. */
async function itemsOnDistinctMasters(n: number, from: number): Promise<number[]> {
  const found = new Map<number, number>();
  for (let id = from; found.size < n; id++) {
    const master = await cluster.masterOf(keys.stock(id));
    if (!found.has(master)) found.set(master, id);
  }
  return [...found.values()];
}

describe('the stock scripts on a Redis Cluster', () => {
  it('is a cluster client, and the items under test are on different masters', async () => {
    assert.ok(isCluster(clients[0]!));
    const items = await itemsOnDistinctMasters(3, 1);
    const masters = await Promise.all(items.map((id) => cluster.masterOf(keys.stock(id))));
    assert.equal(new Set(masters).size, 3);
  });

  it('reserves exactly the stock of each item, once per shopper, with every call in flight together', async () => {
    const items = await itemsOnDistinctMasters(3, 100);
    await Promise.all(items.map((id) => svc(0).load(id, 40, [])));
    const attempts = items.flatMap((itemId) => Array.from({ length: 300 }, (_, i) => ({ itemId, userId: 1 + (i % 150), uuid: randomUUID() })));
    const outcomes = await Promise.all(attempts.map((a, i) => svc(i).reserve(a.itemId, a.userId, a.uuid)));
    for (const itemId of items) {
      const reserved = attempts.filter((a, i) => a.itemId === itemId && outcomes[i]!.kind === 'RESERVED');
      assert.equal(reserved.length, 40, `item ${itemId}`);
      assert.equal(new Set(reserved.map((a) => a.userId)).size, 40, 'no shopper reserved twice');
      assert.equal(await svc(0).buyerCount(itemId), 40);
    }
    assert.deepEqual(await svc(0).stockLeft(items), [0, 0, 0], 'one read across masters');
  });

  it('marks, claims across items, releases, abandons and finds requests by uuid alone', async () => {
    const [a, b] = await itemsOnDistinctMasters(2, 200);
    await Promise.all([svc(0).load(a!, 5, []), svc(0).load(b!, 5, [])]);
    const [ua, ub, uc] = [randomUUID(), randomUUID(), randomUUID()];
    assert.equal((await svc(0).reserve(a!, 1, ua)).kind, 'RESERVED');
    assert.equal((await svc(1).reserve(b!, 1, ub)).kind, 'RESERVED');
    assert.equal((await svc(2).reserve(b!, 2, uc)).kind, 'RESERVED');
    assert.equal(await svc(0).markQueued(a!, 1, ua), 'QUEUED');
    assert.equal(await svc(0).markQueued(b!, 1, ub), 'QUEUED');
    assert.deepEqual(await svc(3).request(ua), { state: 'QUEUED', userId: 1, seckillGoodId: a });
    assert.equal((await svc(3).reserve(b!, 1, ua)).kind, 'FOREIGN', 'a uuid belongs to one item');
    const claims = await svc(1).claim([
      { itemId: a!, uuid: ua },
      { itemId: b!, uuid: ub },
      { itemId: b!, uuid: randomUUID() },
    ]);
    assert.deepEqual(claims, ['CLAIMED', 'CLAIMED', 'MISSING'], 'states in the order asked, one script per item');
    assert.equal(await svc(2).release(b!, 1, ub), true);
    assert.equal(await svc(2).abandon(b!, 2, uc), true);
    assert.deepEqual(await svc(0).stockLeft([a!, b!]), [4, 5]);
    assert.equal((await svc(0).request(ub))?.state, 'RELEASED');
    assert.equal(await svc(0).releaseReplayed(a!, 1, ua), false, 'a plain claim is not a replayed reservation');
  });

  it('finds and releases a stranded reservation', async () => {
    const [item] = await itemsOnDistinctMasters(1, 300);
    await svc(0).load(item!, 1, []);
    const uuid = randomUUID();
    assert.equal((await svc(0).reserve(item!, 9, uuid)).kind, 'RESERVED');
    assert.deepEqual(await svc(1).publishingBefore(item!, Date.now() + 1), [uuid]);
    assert.equal(await svc(1).releaseStranded(item!, uuid), true);
    assert.deepEqual(await svc(0).stockLeft([item!]), [1]);
  });

  it('holds an item whose counter was lost, lists it, and lifts it through reconcile', async () => {
    const [held, other] = await itemsOnDistinctMasters(2, 400);
    await svc(0).load(other!, 3, []);
    assert.equal(await svc(0).fence(held!), true);
    assert.equal(await svc(0).fence(other!), false, 'a loaded item is not held');
    assert.deepEqual((await svc(1).fenced()).map((f) => f.itemId), [held]);
    assert.equal(await svc(1).recovering(), true);
    assert.equal((await svc(2).reserve(held!, 1, randomUUID())).kind, 'RECOVERING');
    const lifted = await svc(2).reconcile(held!, 'lift', 7, [{ userId: 3, uuid: randomUUID() }], []);
    assert.equal(lifted.status, 'OK');
    assert.equal(lifted.after, 7);
    assert.deepEqual(await svc(1).fenced(), []);
    assert.equal(await svc(1).recovering(), false);
    assert.equal((await svc(2).reconcile(other!, 'reconcile', 2, [], [])).after, 2);
    assert.equal(await svc(0).add(other!, 3), 5);
  });

  after(async () => {
    // The cluster is thrown away with its data; this only proves the key walk works across masters.
    let n = 0;
    await scanKeys(clients[0]!, `${keys.prefix}*`, async (found) => void (n += found.length));
    assert.ok(n > 0, 'keys were written and found on the masters');
  });
});
