import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createRedisClient, unlinkMatching, type RedisClient } from '@seckill/redis';
import { RoomKeys, RoomStore, type AdmitOptions, type AdmitStep } from '@seckill/waiting-room';
import { PrivateRedisCluster } from './private-redis-cluster';
import { SHARED_SERVERS } from './test-env';

/**
 * The room's scripts against real Redis, on one node (the shared server, a key prefix of its own) and on a Redis
 * Cluster of three masters (a script whose keys crossed slots fails there with CROSSSLOT). Lives in the testing
 * library because the cluster starter is here.
 */
let cluster: PrivateRedisCluster;
const targets: { name: string; client: RedisClient; store: RoomStore }[] = [];
const prefix = `test:rooms-${randomUUID().slice(0, 8)}:`;

before(async () => {
  cluster = await PrivateRedisCluster.start({ masters: 3 });
  const keys = new RoomKeys(prefix);
  const one = createRedisClient(SHARED_SERVERS.redis, 'rooms-one-node');
  const many = createRedisClient({ url: cluster.url, clusterNodes: cluster.seedNodes }, 'rooms-cluster');
  targets.push({ name: 'one node', client: one, store: new RoomStore(one, keys) }, { name: 'Redis Cluster', client: many, store: new RoomStore(many, keys) });
});

after(async () => {
  const one = targets[0]?.client;
  if (one) await unlinkMatching(one, `${prefix}*`);
  targets.forEach((t) => t.client.disconnect());
  await cluster?.stop();
});

const HOUR = 3_600_000;
const admitOptions = (owner: string, over: Partial<AdmitOptions> = {}): AdmitOptions => ({
  owner,
  leaseMs: 5000,
  tokenTtlMs: 60_000,
  perUnitLeft: 100,
  burstMs: 200,
  most: 1000,
  ...over,
});
let nextItem = 1;

for (const target of [0, 1]) {
  describe(`waiting-room scripts on ${target === 0 ? 'one node' : 'a Redis Cluster'}`, () => {
    const t = () => targets[target]!;
    /** A fresh item with stock and a room, started (or starting) as asked. */
    async function room(o: { startsInMs?: number; rate?: number; stock?: number | null; preQueueSeconds?: number } = {}): Promise<number> {
      const item = nextItem++;
      const now = Date.now();
      const startMs = now + (o.startsInMs ?? -60_000);
      if (o.stock !== null) await t().client.set(t().store.keys.stock(item), String(o.stock ?? 1000));
      await t().store.configure(item, { enabled: true, admitPerSecond: o.rate ?? 50, preQueueSeconds: o.preQueueSeconds ?? 3600, startMs, endMs: now + HOUR });
      return item;
    }
    const admitted = (s: AdmitStep) => (s.kind === 'ADMITTED' ? s.admitted : []);

    it('knows nothing of a room it was never told about, and nothing of a shopper who never joined', async () => {
      const item = nextItem++;
      assert.deepEqual(await t().store.join(item, 1), { kind: 'UNCONFIGURED' });
      const configured = await room();
      assert.deepEqual(await t().store.read(configured, 1), { kind: 'NONE' });
      await t().store.configure(configured, { enabled: false, admitPerSecond: 5, preQueueSeconds: 0, startMs: 0, endMs: Date.now() + HOUR });
      assert.deepEqual(await t().store.join(configured, 1), { kind: 'OPEN' });
    });

    it('refuses joins before the pre-queue opens; within it draws random places, one per shopper however often they join', async () => {
      const notYet = await room({ startsInMs: 2 * HOUR, preQueueSeconds: 60 });
      assert.equal((await t().store.join(notYet, 1)).kind, 'NOT_OPEN');
      const item = await room({ startsInMs: HOUR, preQueueSeconds: 2 * 3600 });
      const joins = await Promise.all(Array.from({ length: 60 }, (_, i) => t().store.join(item, 1 + (i % 20))));
      assert.ok(joins.every((j) => j.kind === 'WAITING'));
      const ranks = await Promise.all(Array.from({ length: 20 }, async (_, i) => {
        const s = await t().store.read(item, i + 1);
        return s.kind === 'WAITING' ? s.ahead : -1;
      }));
      assert.deepEqual([...ranks].sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i), 'twenty places, one each');
      assert.notDeepEqual(ranks, Array.from({ length: 20 }, (_, i) => i), 'not in joining order (1 in 20! by chance)');
      assert.equal((await t().store.counts(item)).waiting, 20);
      const nothing = await t().store.admit(item, admitOptions('a'));
      assert.deepEqual(nothing, { kind: 'IDLE' }, 'nobody is admitted before the start');
    });

    it('after the start queues in arrival order and admits at the rate, one holder of the lease at a time', async () => {
      const rate = 40;
      const item = await room({ rate });
      for (let u = 1; u <= 200; u++) await t().store.join(item, u);
      const began = Date.now();
      const order: number[] = [];
      let refused = 0;
      // Two admitters step as fast as they can for about a second: only the lease holder admits, at the rate.
      while (Date.now() - began < 1000) {
        const [a, b] = await Promise.all([t().store.admit(item, admitOptions('a')), t().store.admit(item, admitOptions('b'))]);
        if (b.kind === 'LEASED') refused++;
        for (const [uid] of [...admitted(a), ...admitted(b)]) order.push(uid);
      }
      const elapsed = (Date.now() - began) / 1000;
      assert.ok(refused > 0, 'the second admitter was refused the lease');
      assert.deepEqual(order, order.map((_, i) => i + 1), 'admitted in arrival order');
      const cap = Math.max(1, (rate * 200) / 1000);
      assert.ok(order.length <= rate * elapsed + cap + 1, `${order.length} admitted in ${elapsed.toFixed(2)} s at ${rate}/s`);
      assert.ok(order.length >= rate * elapsed * 0.5, `${order.length} admitted in ${elapsed.toFixed(2)} s: far below ${rate}/s`);
      assert.equal((await t().store.counts(item)).admitted, order.length);
      await t().store.releaseLease(item, 'a');
      assert.notEqual((await t().store.admit(item, admitOptions('b'))).kind, 'LEASED', 'released: another takes over at once');
    });

    it('admits thousands in one step at a high rate, each once, leaving the rest in line', async () => {
      const item = await room({ rate: 100_000 });
      // More than one unpack() of Lua takes (8,000 values): the script removes the admitted from the line in chunks.
      await Promise.all(Array.from({ length: 9100 }, (_, i) => t().store.join(item, i + 1)));
      const step = await t().store.admit(item, admitOptions('a', { burstMs: 1000, most: 9000 }));
      const ids = admitted(step).map(([uid]) => uid);
      assert.equal(ids.length, 9000);
      assert.equal(new Set(ids).size, 9000);
      assert.equal((await t().store.counts(item)).waiting, 100);
      assert.equal((await t().store.read(item, ids[8999]!)).kind, 'ADMITTED');
    });

    it('reads the whole line at once for the notifier: places, pace and whether the room closed', async () => {
      const item = await room({ rate: 25 });
      for (let u = 1; u <= 5; u++) await t().store.join(item, u);
      const line = await t().store.snapshot(item);
      assert.deepEqual([line.enabled, line.closed, line.pace.admitPerSecond], [true, null, 25]);
      assert.deepEqual([...line.ahead.entries()], [[1, 0], [2, 1], [3, 2], [4, 3], [5, 4]]);
      await t().client.set(t().store.keys.stock(item), '0');
      await t().store.admit(item, admitOptions('a'));
      const closed = await t().store.snapshot(item);
      assert.deepEqual([closed.closed, closed.ahead.size], ['SOLD_OUT', 0]);
    });

    it('admits no more than the units left can serve, closes the room on sell-out and opens it again when units come back', async () => {
      const item = await room({ rate: 1000, stock: 2 });
      for (let u = 1; u <= 30; u++) await t().store.join(item, u);
      const o = admitOptions('a', { perUnitLeft: 2, burstMs: 1000 });
      const first = admitted(await t().store.admit(item, o));
      assert.equal(first.length, 4, 'two units, two admissions per unit');
      assert.equal(admitted(await t().store.admit(item, o)).length, 0, 'none more while those four are outstanding');
      const [uid, token] = first[0]!;
      assert.ok(await t().store.useAdmission(item, uid, token, 'order-1'));
      assert.equal(admitted(await t().store.admit(item, o)).length, 1, 'a used admission frees its place');
      await t().client.set(t().store.keys.stock(item), '0');
      assert.deepEqual(await t().store.admit(item, o), { kind: 'CLOSED', reason: 'SOLD_OUT' });
      assert.deepEqual(await t().store.admit(item, o), { kind: 'IDLE' }, 'closed once');
      assert.equal((await t().store.counts(item)).waiting, 0, 'nobody is left waiting');
      assert.deepEqual(await t().store.join(item, 99), { kind: 'CLOSED', reason: 'SOLD_OUT' });
      await t().client.set(t().store.keys.stock(item), '1');
      assert.deepEqual(await t().store.admit(item, o), { kind: 'ADMITTED', expiresMs: 0, admitted: [] });
      assert.equal((await t().store.join(item, 99)).kind, 'WAITING', 'a unit came back: the room takes shoppers again');
    });

    it('spends a token once, on one request, for its own shopper only; a lapsed admission puts the shopper back at the end', async () => {
      const item = await room({ rate: 1000 });
      for (let u = 1; u <= 3; u++) await t().store.join(item, u);
      const step = await t().store.admit(item, admitOptions('a', { most: 2 }));
      const [[u1, tok1], [, tok2]] = admitted(step) as [[number, string], [number, string]];
      assert.equal(await t().store.useAdmission(item, u1, tok2, 'r1'), false, "another shopper's token");
      assert.equal(await t().store.useAdmission(item, u1, 'f00d', 'r1'), false, 'a made-up token');
      assert.equal(await t().store.useAdmission(item, u1, tok1, 'r1'), true);
      assert.equal(await t().store.useAdmission(item, u1, tok1, 'r1'), true, 'the same request again');
      assert.equal(await t().store.useAdmission(item, u1, tok1, 'r2'), false, 'a second request');
      assert.deepEqual((await t().store.read(item, u1)).kind, 'ADMITTED', 'a spent admission still reads as the turn the shopper had');
      const joinedAgain = await t().store.join(item, u1);
      assert.deepEqual(joinedAgain.kind === 'WAITING' && joinedAgain.ahead, 1, 'joining after spending it (the order may have been cancelled) queues again, at the back');

      // A token that lapses unused: the turn is gone, joining again queues behind the rest.
      const lapsing = await room({ rate: 1000 });
      for (let u = 1; u <= 3; u++) await t().store.join(lapsing, u);
      const [[first, token]] = admitted(await t().store.admit(lapsing, admitOptions('a', { most: 1, tokenTtlMs: 30 }))) as [[number, string]];
      while ((await t().store.read(lapsing, first)).kind !== 'NONE') await new Promise((r) => setImmediate(r));
      assert.equal(await t().store.useAdmission(lapsing, first, token, 'late'), false);
      const again = await t().store.join(lapsing, first);
      assert.deepEqual(again.kind === 'WAITING' && again.ahead, 2, 'behind the two still waiting');
    });
  });
}
