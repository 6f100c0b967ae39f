import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type Redis from 'ioredis';
import { createRedisClient, isCluster, type RedisClient } from '@seckill/redis';
import { StockKeys } from './stock-keys';
import { StockService, type ReserveOutcome } from './stock.service';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `test:stock-${randomUUID().slice(0, 8)}:`;
const keys = new StockKeys(prefix);
/** Several connections, so the script calls really interleave on the server rather than queue on one socket. */
const clients: Redis[] = [];
let services: StockService[] = [];
const gateNames = [`stock-int-gate-a-${prefix.slice(11, 19)}`, `stock-int-gate-b-${prefix.slice(11, 19)}`];
/**
 * Connections whose next call waits at the server behind a BLPOP on a gate key: Redis runs a blocked client's
 * queued commands only once it is served, so two of them released by one LPUSH are both at the server, in the
 * order their BLPOPs arrived.
 */
let gates: { stock: StockService; behind<T>(gate: string, call: () => Promise<T>): Promise<T> }[] = [];

/** This suite drives one node (CLIENT LIST, KEYS); stock.cluster.int.spec.ts runs the scripts on a cluster. */
function oneNode(c: RedisClient): Redis {
  if (isCluster(c)) throw new Error('expected one Redis node');
  return c;
}

before(async () => {
  for (let i = 0; i < 8; i++) clients.push(oneNode(createRedisClient(REDIS_URL, `stock-int-${i}`)));
  services = clients.map((c) => new StockService(c, keys));
  gates = gateNames.map((name) => {
    const client = oneNode(createRedisClient(REDIS_URL, name));
    clients.push(client);
    return {
      stock: new StockService(client, keys),
      behind<T>(gate: string, call: () => Promise<T>): Promise<T> {
        // Not awaited before the call: both commands must be on the wire, the call queued behind the BLPOP.
        const held = client.blpop(gate, 30);
        const result = call();
        return held.then((popped) => {
          assert.ok(popped, `gate ${gate} never opened`);
          return result;
        });
      },
    };
  });
  await Promise.all(clients.map((c) => c.ping()));
});

/** Waits until `n` gate connections are blocked (Redis's own CLIENT LIST, not timing); rounds use one gate at a time. */
async function blockedOn(gate: string, n: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const list = await clients[0]!.client('LIST') as string;
    const blocked = list.split('\n').filter((line) => gateNames.some((g) => line.includes(` name=${g} `)) && / cmd=blpop( |$)/.test(line) && / flags=b /.test(line));
    if (blocked.length >= n) return;
    if (Date.now() > deadline) throw new Error(`only ${blocked.length} of ${n} calls reached gate ${gate}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

after(async () => {
  const found = await clients[0]!.keys(`${prefix}*`);
  if (found.length) await clients[0]!.del(...found);
  await Promise.all(clients.map((c) => c.quit()));
});

const svc = (i: number) => services[i % services.length]!;

describe('reserve-stock.lua under concurrent calls', () => {
  it('reserves exactly the stock, once per shopper, from 8 connections at once', async () => {
    const itemId = 1;
    await svc(0).load(itemId, 50, []);
    // 400 shoppers, each trying twice with different uuids, all in flight together.
    const attempts = Array.from({ length: 800 }, (_, i) => ({ userId: 1 + (i % 400), uuid: randomUUID() }));
    const outcomes = await Promise.all(attempts.map((a, i) => svc(i).reserve(itemId, a.userId, a.uuid)));
    const reserved = attempts.filter((_, i) => outcomes[i]!.kind === 'RESERVED');
    assert.equal(reserved.length, 50);
    assert.equal(new Set(reserved.map((a) => a.userId)).size, 50, 'no shopper reserved twice');
    assert.equal(outcomes.filter((o) => o.kind === 'SOLD_OUT').length + outcomes.filter((o) => o.kind === 'ALREADY_ORDERED').length, 750);
    assert.deepEqual(await svc(0).stockLeft([itemId]), [0]);
    assert.equal(await svc(0).buyerCount(itemId), 50);
  });

  it('treats a repeated uuid as the same request, never a second reservation', async () => {
    const itemId = 2;
    await svc(0).load(itemId, 5, []);
    const uuid = randomUUID();
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => svc(i).reserve(itemId, 7, uuid)));
    assert.equal(outcomes.filter((o) => o.kind === 'RESERVED').length, 1);
    assert.ok(outcomes.every((o) => o.kind === 'RESERVED' || (o.kind === 'DUPLICATE' && o.state === 'PUBLISHING')));
    assert.deepEqual(await svc(0).stockLeft([itemId]), [4]);
  });

  it('refuses a uuid already used for another item, or by another shopper, even when both are tried at once', async () => {
    const [first, second] = [4, 5];
    await Promise.all([svc(0).load(first, 5, []), svc(0).load(second, 5, [])]);
    const uuid = randomUUID();
    const outcomes = await Promise.all([svc(0).reserve(first, 7, uuid), svc(1).reserve(second, 7, uuid), svc(2).reserve(first, 8, uuid)]);
    assert.equal(outcomes.filter((o) => o.kind === 'RESERVED').length, 1, `one reservation under the uuid: ${JSON.stringify(outcomes)}`);
    const winner = outcomes.findIndex((o) => o.kind === 'RESERVED');
    assert.equal((await svc(0).request(uuid))?.seckillGoodId, winner === 1 ? second : first, 'the record is found by uuid alone');
    const [leftFirst, leftSecond] = await svc(0).stockLeft([first, second]);
    assert.equal(leftFirst! + leftSecond!, 9, 'one unit taken in all');
  });

  it('answers NOT_LOADED when the counter is missing, and loads only once', async () => {
    const itemId = 3;
    assert.equal((await svc(0).reserve(itemId, 1, randomUUID())).kind, 'NOT_LOADED');
    const loads = await Promise.all(Array.from({ length: 10 }, (_, i) => svc(i).load(itemId, 9, [{ userId: 5, uuid: randomUUID() }])));
    assert.equal(loads.filter(Boolean).length, 1);
    assert.equal((await svc(0).reserve(itemId, 5, randomUUID())).kind, 'ALREADY_ORDERED');
    assert.deepEqual(await svc(0).stockLeft([itemId]), [9]);
  });
});

describe('release, abandon and claim', () => {
  it('releases a reservation once, however often it is asked, and lets the shopper order again', async () => {
    const itemId = 10;
    await svc(0).load(itemId, 1, []);
    const uuid = randomUUID();
    assert.equal((await svc(0).reserve(itemId, 1, uuid)).kind, 'RESERVED');
    const released = await Promise.all(Array.from({ length: 10 }, (_, i) => svc(i).release(itemId, 1, uuid)));
    assert.equal(released.filter(Boolean).length, 1);
    assert.deepEqual(await svc(0).stockLeft([itemId]), [1]);
    assert.equal((await svc(0).request(uuid))?.state, 'RELEASED');
    assert.equal((await svc(0).reserve(itemId, 1, randomUUID())).kind, 'RESERVED');
  });

  it('never releases a newer reservation of the same shopper', async () => {
    const itemId = 11;
    await svc(0).load(itemId, 2, []);
    const old = randomUUID();
    await svc(0).reserve(itemId, 1, old);
    await svc(0).release(itemId, 1, old);
    const fresh = randomUUID();
    await svc(0).reserve(itemId, 1, fresh);
    assert.equal(await svc(0).release(itemId, 1, old), false);
    assert.deepEqual(await svc(0).stockLeft([itemId]), [1]);
  });

  it('lets exactly one of abandon (order-api gives up) and claim (worker takes it) win, and each side wins some rounds', async () => {
    const itemId = 12;
    const rounds = 200;
    await svc(0).load(itemId, rounds, []);
    const [abandoner, claimer] = gates;
    let abandoned = 0;
    let claimed = 0;
    for (let i = 0; i < rounds; i++) {
      const uuid = randomUUID();
      const userId = 1000 + i;
      await svc(i).reserve(itemId, userId, uuid);
      // Both calls are held at the server behind a gate and released by one LPUSH, so they are in flight together
      // every round; the side whose BLPOP reached Redis first runs first. Issuing them in alternating order lets
      // either side get there first.
      const gate = `${prefix}gate:${i}`;
      const abandon = () => abandoner!.behind(gate, () => abandoner!.stock.abandon(itemId, userId, uuid));
      const claim = () => claimer!.behind(gate, () => claimer!.stock.claim([{ itemId, uuid }]).then(([c]) => c));
      let a: Promise<boolean>;
      let c: Promise<string | undefined>;
      if (i % 2 === 0) [a, c] = [abandon(), claim()];
      else [c, a] = [claim(), abandon()];
      await blockedOn(gate, 2);
      await clients[0]!.lpush(gate, 'go', 'go');
      const [won, state] = await Promise.all([a, c]);
      assert.ok(won !== (state === 'CLAIMED'), `round ${i}: abandon=${won} claim=${state}`);
      if (won) {
        abandoned++;
        assert.equal(state, 'ABANDONED');
        assert.equal((await svc(0).request(uuid))?.state, 'ABANDONED');
      } else {
        claimed++;
        assert.equal((await svc(0).request(uuid))?.state, 'CLAIMED');
      }
      // Every abandoned reservation gave its unit back; every claimed one keeps it.
      assert.deepEqual(await svc(0).stockLeft([itemId]), [rounds - (i + 1) + abandoned], `round ${i}`);
      assert.equal(await svc(0).buyerCount(itemId), claimed, `round ${i}: a claimed shopper keeps the reservation, an abandoned one does not`);
    }
    assert.equal(abandoned + claimed, rounds);
    assert.ok(abandoned > 0, `abandon never won (claimed ${claimed})`);
    assert.ok(claimed > 0, `claim never won (abandoned ${abandoned})`);
  });

  it('marks a published request QUEUED, and a retry of an abandoned request may reserve again', async () => {
    const itemId = 13;
    await svc(0).load(itemId, 1, []);
    const uuid = randomUUID();
    await svc(0).reserve(itemId, 1, uuid);
    assert.equal(await svc(0).abandon(itemId, 1, uuid), true);
    assert.equal((await svc(0).reserve(itemId, 1, uuid)).kind, 'RESERVED');
    assert.equal(await svc(0).markQueued(itemId, 1, uuid), 'QUEUED');
    const again = await svc(0).reserve(itemId, 1, uuid);
    assert.deepEqual(again, { kind: 'DUPLICATE', state: 'QUEUED' });
    assert.deepEqual(await svc(0).claim([uuid, randomUUID()].map((uuid) => ({ itemId, uuid }))), ['CLAIMED', 'MISSING']);
  });
});

describe('stranded reservations (order-api died between the reserve and the confirm)', () => {
  it('indexes a reservation while it is PUBLISHING, and releases it once, unless the worker claimed it first', async () => {
    const itemId = 21;
    await svc(0).load(itemId, 3, []);
    const [stranded, claimed, queued] = [randomUUID(), randomUUID(), randomUUID()];
    for (const [i, uuid] of [stranded, claimed, queued].entries()) assert.equal((await svc(0).reserve(itemId, 100 + i, uuid)).kind, 'RESERVED');
    assert.deepEqual(await svc(0).claim([claimed].map((uuid) => ({ itemId, uuid }))), ['CLAIMED']);
    assert.equal(await svc(0).markQueued(itemId, 102, queued), 'QUEUED');
    assert.deepEqual(await svc(0).stockLeft([itemId]), [0]);

    const old = await svc(0).publishingBefore(itemId, Date.now() + 1000);
    assert.deepEqual(new Set(old), new Set([stranded, claimed]), 'markQueued took its request off the index; the claim did not');
    const released = await Promise.all(old.flatMap((uuid) => [svc(1).releaseStranded(itemId, uuid), svc(2).releaseStranded(itemId, uuid)]));
    assert.equal(released.filter(Boolean).length, 1, 'exactly one unit back, whoever sweeps');
    assert.deepEqual(await svc(0).stockLeft([itemId]), [1]);
    assert.equal((await svc(0).request(stranded))?.state, 'ABANDONED');
    assert.equal((await svc(0).request(claimed))?.state, 'CLAIMED');
    assert.deepEqual(await svc(0).publishingBefore(itemId, Date.now() + 1000), []);
    assert.equal(await svc(0).oldestPublishing(itemId), null);

    // The late message of the stranded request is dropped by the worker; a confirm arriving now is refused.
    assert.deepEqual(await svc(0).claim([stranded].map((uuid) => ({ itemId, uuid }))), ['ABANDONED']);
    assert.equal(await svc(0).markQueued(itemId, 100, stranded), 'ABANDONED');
    // The shopper's retry under the same requestId reserves afresh.
    assert.equal((await svc(0).reserve(itemId, 100, stranded)).kind, 'RESERVED');
  });

  it('records a publish given up on after Redis lost the request as ABANDONED, returning nothing it does not have', async () => {
    const itemId = 22;
    await svc(0).load(itemId, 5, []);
    const uuid = randomUUID();
    await svc(0).reserve(itemId, 7, uuid);
    await clients[0]!.del(keys.request(itemId, uuid));
    assert.equal(await svc(0).abandon(itemId, 7, uuid), true);
    assert.deepEqual(await svc(0).claim([uuid].map((uuid) => ({ itemId, uuid }))), ['ABANDONED'], 'a late message is dropped: the 503 stays true');
    assert.deepEqual(await svc(0).stockLeft([itemId]), [4], 'no unit invented');
  });

  it('recreates the record of a confirmed publish whose request Redis lost, so it reads as QUEUED', async () => {
    const uuid = randomUUID();
    assert.equal(await svc(0).markQueued(23, 8, uuid), 'QUEUED');
    assert.deepEqual(await svc(0).request(uuid), { state: 'QUEUED', userId: 8, seckillGoodId: 23 });
  });
});

describe('a failure that never held a real unit', () => {
  it('ends the reservation without giving a unit back (SOLD_OUT), unlike one that did', async () => {
    const itemId = 24;
    await svc(0).load(itemId, 2, []);
    const [phantom, real] = [randomUUID(), randomUUID()];
    await svc(0).reserve(itemId, 1, phantom);
    await svc(0).reserve(itemId, 2, real);
    assert.equal(await svc(0).release(itemId, 1, phantom, false), false);
    assert.equal(await svc(0).release(itemId, 2, real, true), true);
    assert.deepEqual(await svc(0).stockLeft([itemId]), [1]);
    assert.equal(await svc(0).buyerCount(itemId), 0, 'both shoppers may order again');
  });
});

describe('an item whose counter Redis lost', () => {
  it('is held: orders answer RECOVERING, a reconcile leaves it alone, and only the lift rebuilds it', async () => {
    const itemId = 25;
    await svc(0).load(itemId, 10, []);
    await clients[0]!.del(keys.stock(itemId), keys.buyers(itemId));
    assert.equal((await svc(0).reserve(itemId, 1, randomUUID())).kind, 'NOT_LOADED');
    const holds = await Promise.all(Array.from({ length: 5 }, (_, i) => svc(i).fence(itemId)));
    assert.ok(holds.every(Boolean));
    assert.equal(await svc(0).recovering(), true);
    const [held] = await svc(0).fenced();
    assert.equal(held?.itemId, itemId);
    assert.equal((await svc(0).reserve(itemId, 1, randomUUID())).kind, 'RECOVERING');

    assert.equal((await svc(0).reconcile(itemId, 'reconcile', 7, [], [])).status, 'HELD');
    const liveUuid = randomUUID();
    const lifted = await svc(0).reconcile(itemId, 'lift', 7, [{ userId: 3, uuid: liveUuid }], []);
    assert.deepEqual([lifted.status, lifted.before, lifted.after], ['OK', null, 7]);
    assert.equal(await svc(0).recovering(), false);
    assert.equal((await svc(0).reconcile(itemId, 'lift', 7, [], [])).status, 'NOT_HELD', 'a second lift finds nothing to do');
    assert.equal((await svc(0).reserve(itemId, 3, randomUUID())).kind, 'ALREADY_ORDERED', 'live buyers are back');
    assert.deepEqual(await svc(0).reserve(itemId, 3, liveUuid), { kind: 'DUPLICATE', state: 'QUEUED' }, 'the live order\'s own request asked again is the same request');
    assert.equal((await svc(0).reserve(itemId, 4, randomUUID())).kind, 'RESERVED');
  });

  it('is not held when the counter exists after all, and a reconcile without a counter says so', async () => {
    const itemId = 26;
    await svc(0).load(itemId, 1, []);
    assert.equal(await svc(0).fence(itemId), false);
    assert.equal(await svc(0).recovering(), false);
    assert.equal((await svc(0).reconcile(27, 'reconcile', 5, [], [])).status, 'MISSING');
  });
});

describe('reconciliation while reservations are in flight', () => {
  it('keeps a buyer PostgreSQL has neither as a live order nor decided, with its unit still taken', async () => {
    const itemId = 30;
    await svc(0).load(itemId, 10, []);
    const [ordered, failed, flightA, flightB, forgotten] = [randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    for (const [i, uuid] of [ordered, failed, flightA, flightB, forgotten].entries()) assert.equal((await svc(0).reserve(itemId, 1 + i, uuid)).kind, 'RESERVED');
    assert.deepEqual(await svc(0).claim([ordered, failed, forgotten].map((uuid) => ({ itemId, uuid }))), ['CLAIMED', 'CLAIMED', 'CLAIMED']);
    assert.equal(await svc(0).markQueued(itemId, 4, flightB), 'QUEUED');
    // PostgreSQL: `ordered` and `forgotten` are live orders, `failed` failed (its release has not reached Redis
    // yet); flightA (PUBLISHING) and flightB (QUEUED) are not decided. Redis drifted: its counter says 2, and it
    // lost the buyer of `forgotten`.
    await clients[0]!.set(keys.stock(itemId), 2);
    await clients[0]!.hdel(keys.buyers(itemId), '5');
    const pgLeft = 8;
    const live = [{ userId: 1, uuid: ordered }, { userId: 5, uuid: forgotten }];

    const r = await svc(0).reconcile(itemId, 'reconcile', pgLeft, live, [ordered, failed, forgotten]);
    assert.deepEqual(r, { status: 'OK', before: 2, after: 6, inFlight: 2 }, 'PostgreSQL\'s 8 units less the 2 in flight');
    const buyers = await clients[0]!.hgetall(keys.buyers(itemId));
    assert.deepEqual(buyers, { '1': ordered, '3': flightA, '4': flightB, '5': forgotten }, 'the failed buyer is gone, the in-flight ones kept');

    // The in-flight requests are untouched: still claimable by the worker, still holding their shopper's place.
    assert.deepEqual(await svc(0).claim([flightA, flightB].map((uuid) => ({ itemId, uuid }))), ['CLAIMED', 'CLAIMED']);
    assert.equal((await svc(0).reserve(itemId, 3, randomUUID())).kind, 'ALREADY_ORDERED');
    const retry = randomUUID();
    assert.equal((await svc(0).reserve(itemId, 2, retry)).kind, 'RESERVED', 'the failed shopper may order again');
    assert.deepEqual(await svc(0).stockLeft([itemId]), [5]);

    // They are decided (flightA SUCCESS, flightB FAIL, its unit released), the retry of shopper 2 is still in
    // flight: the next reconcile finds nothing to repair, so no unit was counted twice or lost.
    assert.equal(await svc(0).release(itemId, 4, flightB), true);
    const again = await svc(0).reconcile(itemId, 'reconcile', 7, [...live, { userId: 3, uuid: flightA }], [ordered, failed, forgotten, flightA, flightB]);
    assert.deepEqual(again, { status: 'OK', before: 6, after: 6, inFlight: 1 });
    assert.deepEqual(await clients[0]!.hgetall(keys.buyers(itemId)), { '1': ordered, '2': retry, '3': flightA, '5': forgotten });
  });

  it('never drops a reservation made from 8 connections while reconciles run between them', async () => {
    const itemId = 31;
    const pgLeft = 30;
    // Redis undersells (it lost 6 units); nothing is decided in PostgreSQL meanwhile, so every reservation is in
    // flight for every reconcile.
    await svc(0).load(itemId, 24, []);
    const attempts = Array.from({ length: 24 }, (_, i) => ({ userId: 100 + i, uuid: randomUUID() }));
    const reserves: Promise<ReserveOutcome>[] = [];
    const reconciles: Promise<{ status: string; inFlight: number }>[] = [];
    attempts.forEach((a, i) => {
      reserves.push(svc(i).reserve(itemId, a.userId, a.uuid));
      // Queued on connection i behind reservation i and ahead of reservations i + 8 and i + 16: each reconcile
      // runs with reservations on both sides of it, whatever the other connections do.
      if (i < 5) reconciles.push(svc(i).reconcile(itemId, 'reconcile', pgLeft, [], []));
    });
    const [outcomes, reconciled] = await Promise.all([Promise.all(reserves), Promise.all(reconciles)]);
    assert.ok(outcomes.every((o) => o.kind === 'RESERVED'), 'the units were there for everyone');
    for (const r of reconciled) {
      assert.equal(r.status, 'OK');
      assert.ok(r.inFlight >= 1 && r.inFlight <= attempts.length - 2, `a reconcile saw ${r.inFlight} in flight`);
    }

    const buyers = await clients[0]!.hgetall(keys.buyers(itemId));
    assert.deepEqual(buyers, Object.fromEntries(attempts.map((a) => [String(a.userId), a.uuid])), 'every reservation survived every reconcile');
    assert.deepEqual(await svc(0).stockLeft([itemId]), [pgLeft - attempts.length], 'counter plus reservations in flight is what PostgreSQL has');
    const last = await svc(0).reconcile(itemId, 'reconcile', pgLeft, [], []);
    assert.deepEqual(last, { status: 'OK', before: 6, after: 6, inFlight: 24 }, 'nothing left to repair');
  });
});
