import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type Redis from 'ioredis';
import { createRedisClient } from './redis-client';
import { StockKeys } from './stock-keys';
import { StockService } from './stock.service';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `test:stock-${randomUUID().slice(0, 8)}:`;
const keys = new StockKeys(prefix);
/** Several connections, so the script calls really interleave on the server rather than queue on one socket. */
const clients: Redis[] = [];
let services: StockService[] = [];

before(async () => {
  for (let i = 0; i < 8; i++) clients.push(createRedisClient(REDIS_URL, `stock-int-${i}`));
  services = clients.map((c) => new StockService(c, keys));
  await Promise.all(clients.map((c) => c.ping()));
});

after(async () => {
  const found = await clients[0]!.keys(`${prefix}*`);
  if (found.length) await clients[0]!.del(...found);
  await Promise.all(clients.map((c) => c.quit()));
});

const svc = (i: number) => services[i % services.length]!;

describe('reserve-stock.lua under concurrent calls', () => {
  it('reserves exactly the stock, once per shopper, from 8 connections at once', async () => {
    const goodId = 1;
    await svc(0).load(goodId, 50, []);
    // 400 shoppers, each trying twice with different uuids, all in flight together.
    const attempts = Array.from({ length: 800 }, (_, i) => ({ userId: 1 + (i % 400), uuid: randomUUID() }));
    const outcomes = await Promise.all(attempts.map((a, i) => svc(i).reserve(goodId, a.userId, a.uuid)));
    const reserved = attempts.filter((_, i) => outcomes[i]!.kind === 'RESERVED');
    assert.equal(reserved.length, 50);
    assert.equal(new Set(reserved.map((a) => a.userId)).size, 50, 'no shopper reserved twice');
    assert.equal(outcomes.filter((o) => o.kind === 'SOLD_OUT').length + outcomes.filter((o) => o.kind === 'ALREADY_ORDERED').length, 750);
    assert.deepEqual(await svc(0).stockLeft([goodId]), [0]);
    assert.equal(await svc(0).buyerCount(goodId), 50);
  });

  it('treats a repeated uuid as the same request, never a second reservation', async () => {
    const goodId = 2;
    await svc(0).load(goodId, 5, []);
    const uuid = randomUUID();
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => svc(i).reserve(goodId, 7, uuid)));
    assert.equal(outcomes.filter((o) => o.kind === 'RESERVED').length, 1);
    assert.ok(outcomes.every((o) => o.kind === 'RESERVED' || (o.kind === 'DUPLICATE' && o.state === 'PUBLISHING')));
    assert.deepEqual(await svc(0).stockLeft([goodId]), [4]);
  });

  it('answers NOT_LOADED when the counter is missing, and loads only once', async () => {
    const goodId = 3;
    assert.equal((await svc(0).reserve(goodId, 1, randomUUID())).kind, 'NOT_LOADED');
    const loads = await Promise.all(Array.from({ length: 10 }, (_, i) => svc(i).load(goodId, 9, [{ userId: 5, uuid: randomUUID() }])));
    assert.equal(loads.filter(Boolean).length, 1);
    assert.equal((await svc(0).reserve(goodId, 5, randomUUID())).kind, 'ALREADY_ORDERED');
    assert.deepEqual(await svc(0).stockLeft([goodId]), [9]);
  });
});

describe('release, abandon and claim', () => {
  it('releases a reservation once, however often it is asked, and lets the shopper order again', async () => {
    const goodId = 10;
    await svc(0).load(goodId, 1, []);
    const uuid = randomUUID();
    assert.equal((await svc(0).reserve(goodId, 1, uuid)).kind, 'RESERVED');
    const released = await Promise.all(Array.from({ length: 10 }, (_, i) => svc(i).release(goodId, 1, uuid)));
    assert.equal(released.filter(Boolean).length, 1);
    assert.deepEqual(await svc(0).stockLeft([goodId]), [1]);
    assert.equal((await svc(0).request(uuid))?.state, 'RELEASED');
    assert.equal((await svc(0).reserve(goodId, 1, randomUUID())).kind, 'RESERVED');
  });

  it('never releases a newer reservation of the same shopper', async () => {
    const goodId = 11;
    await svc(0).load(goodId, 2, []);
    const old = randomUUID();
    await svc(0).reserve(goodId, 1, old);
    await svc(0).release(goodId, 1, old);
    const fresh = randomUUID();
    await svc(0).reserve(goodId, 1, fresh);
    assert.equal(await svc(0).release(goodId, 1, old), false);
    assert.deepEqual(await svc(0).stockLeft([goodId]), [1]);
  });

  it('lets exactly one of abandon (order-api gives up) and claim (worker takes it) win', async () => {
    const goodId = 12;
    const rounds = 200;
    await svc(0).load(goodId, rounds, []);
    let abandoned = 0;
    let claimed = 0;
    for (let i = 0; i < rounds; i++) {
      const uuid = randomUUID();
      await svc(i).reserve(goodId, 1000 + i, uuid);
      const [a, [c]] = await Promise.all([svc(i).abandon(goodId, 1000 + i, uuid), svc(i + 1).claim([uuid])]);
      assert.ok(a !== (c === 'CLAIMED'), `round ${i}: abandon=${a} claim=${c}`);
      if (a) {
        abandoned++;
        assert.equal(c, 'ABANDONED');
      } else claimed++;
    }
    // Every abandoned reservation gave its unit back; every claimed one keeps it.
    assert.deepEqual(await svc(0).stockLeft([goodId]), [abandoned]);
    assert.equal(abandoned + claimed, rounds);
  });

  it('marks a published request QUEUED, and a retry of an abandoned request may reserve again', async () => {
    const goodId = 13;
    await svc(0).load(goodId, 1, []);
    const uuid = randomUUID();
    await svc(0).reserve(goodId, 1, uuid);
    assert.equal(await svc(0).abandon(goodId, 1, uuid), true);
    assert.equal((await svc(0).reserve(goodId, 1, uuid)).kind, 'RESERVED');
    assert.equal(await svc(0).markQueued(uuid), 'QUEUED');
    const again = await svc(0).reserve(goodId, 1, uuid);
    assert.deepEqual(again, { kind: 'DUPLICATE', state: 'QUEUED' });
    assert.deepEqual(await svc(0).claim([uuid, randomUUID()]), ['CLAIMED', 'MISSING']);
  });
});
