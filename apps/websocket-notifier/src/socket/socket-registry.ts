import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@seckill/config';
import { REDIS, type RedisClient } from '@seckill/redis';

/** Leases are renewed in chunks of this many uuids, so no single burst of commands holds Redis up for long. */
const REFRESH_CHUNK = 500;

/**
 * Which notifier instances hold a socket for a uuid: a sorted set per uuid in Redis, one member per instance,
 * scored by when its lease runs out (three ping intervals; the heartbeat renews the leases of every uuid the
 * instance holds). An announcement goes to the channel of each holding instance — one channel per instance, so
 * the subscriber connection carries one subscription whatever the number of sockets.
 *
 * The ordering that keeps a result from being missed: a socket registers BEFORE it reads the store; the store
 * writes BEFORE it reads the holders. Redis runs commands one at a time, so either the holders read sees the
 * registration (the result is published to this instance) or the registration came later, and so did the
 * socket's read of the store, which finds the result. An entry that lapsed while its socket lives (Redis
 * restarted empty, a renewal lost) is found by the next renewal — ZADD reports it new — and that uuid's store is
 * read again; an instance that died takes its sockets with it, and its lapsed entries only cost a PUBLISH
 * nobody hears.
 */
@Injectable()
export class SocketRegistry {
  /** This process's name in the registry (unique across instances and restarts). */
  readonly instanceId = randomUUID();
  private readonly leaseMs: number;
  private readonly prefix: string;

  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.leaseMs = 3 * config.NOTIFIER_PING_INTERVAL_MS;
    this.prefix = config.REDIS_KEY_PREFIX;
  }

  key(uuid: string): string {
    return `${this.prefix}notify:at:${uuid}`;
  }

  /** The channel an instance listens to for announcements of the uuids it holds. */
  channel(instanceId: string = this.instanceId): string {
    return `${this.prefix}notify:instance:${instanceId}`;
  }

  /** Records that this instance holds sockets for the uuid (before the socket reads the store). */
  async register(uuid: string): Promise<void> {
    const key = this.key(uuid);
    await this.redis.multi().zadd(key, Date.now() + this.leaseMs, this.instanceId).pexpire(key, this.leaseMs).exec();
  }

  /** Best effort: an entry left behind (Redis away at the close) lapses with its lease. */
  async unregister(uuid: string): Promise<void> {
    await this.redis.zrem(this.key(uuid), this.instanceId).catch(() => undefined);
  }

  /** Renews this instance's leases; returns the uuids whose entry was gone (announcements may have missed them). */
  async refresh(uuids: readonly string[]): Promise<string[]> {
    const expires = Date.now() + this.leaseMs;
    const lapsed: string[] = [];
    for (let i = 0; i < uuids.length; i += REFRESH_CHUNK) {
      const chunk = uuids.slice(i, i + REFRESH_CHUNK);
      // Command by command (auto-pipelined), not one MULTI: on a Redis Cluster the uuids' keys are in many slots.
      const added = await Promise.all(
        chunk.map(async (uuid) => {
          const [n] = await Promise.all([this.redis.zadd(this.key(uuid), expires, this.instanceId), this.redis.pexpire(this.key(uuid), this.leaseMs)]);
          return n;
        }),
      );
      chunk.forEach((uuid, j) => {
        if (Number(added[j]) === 1) lapsed.push(uuid);
      });
    }
    return lapsed;
  }

  /** The instances whose lease on the uuid still runs. */
  async holders(uuid: string): Promise<string[]> {
    return this.redis.zrangebyscore(this.key(uuid), Date.now(), '+inf');
  }
}
