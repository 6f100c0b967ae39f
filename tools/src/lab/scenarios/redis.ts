import type { Scenario } from '../scenario';

export const redisFailover: Scenario = {
  name: 'redis-failover',
  title: "the Redis master of the hot item's slot killed; its replica takes over; the old master back as a replica",
  fault: "master of the hot item's slot killed (SIGKILL), replica promoted, old master back as replica",
  expected:
    "Every order of the item runs its Lua script on the master of one slot (the item's keys share the hash tag " +
    '`{good:<id>}`). With that master gone, reservations of the item fail until its replica is promoted, about ' +
    'cluster-node-timeout (2 s) plus an election later; order-api answers 503 TRY_AGAIN meanwhile and the shoppers ' +
    'try again. The ioredis cluster client learns the new master from the MOVED replies and the slot map. Redis ' +
    'replicates asynchronously: the reservations the old master acknowledged last may be missing on the replica. ' +
    'PostgreSQL is the truth (the worker decides every order under the item row lock, one order per user and ' +
    'request), and reconciliation sets the Redis counter back to what PostgreSQL says; so at worst an accepted ' +
    'order ends FAIL, never a second or an oversold one. The old master, started again on its nodes.conf, rejoins ' +
    'as a replica of the new one.',
  async inject(ctx) {
    const redis = ctx.lab.redis;
    const slot = await redis.slotOf(ctx.stockKey);
    const old = await redis.masterOf(slot);
    if (!old) throw new Error(`no master serves slot ${slot}`);
    let restarted = false;
    try {
      await old.kill();
      ctx.begin(`${old.host.name} (master of slot ${slot}, ${ctx.stockKey}) killed`);
      const promoted = await redis.waitNewMaster(slot, old, 60_000, ctx.signal);
      ctx.mark(`${promoted.host.name} promoted: master of slot ${slot}`);
      await old.start(ctx.signal);
      restarted = true;
      ctx.mark(`${old.host.name} started again`);
      await redis.waitReplicaOf(old, promoted, 60_000, ctx.signal);
      ctx.mark(`${old.host.name} is a replica of ${promoted.host.name}, in sync`);
    } finally {
      if (!restarted && !old.running) await old.start(ctx.signal).catch(() => undefined);
    }
    await redis.waitHealthy(60_000, ctx.signal);
    await ctx.lab.waitAllReady(60_000);
    ctx.end('cluster ok on every node, every app ready');
  },
};
