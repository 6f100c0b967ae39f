import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@seckill/config';
import { REDIS, type RedisClient } from '@seckill/redis';

/** One open socket's slot: whose it is and its id (unique across instances). */
export interface SocketSlot {
  userId: number;
  id: string;
}

/** Refreshes are sent in chunks of this many sockets, so no single burst of commands holds Redis up for long. */
const REFRESH_CHUNK = 500;

/**
 * The open sockets of each user across every notifier instance: a sorted set per user in Redis, one member per
 * socket, scored by when its lease runs out. The heartbeat renews the leases of the sockets an instance holds;
 * a socket's close removes its member. An instance that crashes renews nothing, so its members lapse within a
 * lease (three ping intervals) and stop counting: no cleanup job, nothing to get stuck.
 *
 * A claim adds first and counts after, in one MULTI: the count includes every claim that went before it, so the
 * limit is never exceeded, and of claims racing for free slots the first ones Redis runs get them. The one
 * imprecision: a refused claim's member stays until its ZREM (one round trip), so a claim racing a close at the
 * limit may be refused although the close made room.
 */
@Injectable()
export class UserSocketSlots {
  readonly limit: number;
  readonly enabled: boolean;
  private readonly leaseMs: number;
  private readonly prefix: string;

  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.limit = config.NOTIFIER_SOCKETS_PER_USER;
    this.enabled = config.RATE_LIMITS === 'on';
    this.leaseMs = 3 * config.NOTIFIER_PING_INTERVAL_MS;
    this.prefix = `${config.REDIS_KEY_PREFIX}ws:user:`;
  }

  key(userId: number): string {
    return `${this.prefix}${userId}`;
  }

  /** True when the socket may stay open (and now counts); false when the user already holds `limit` sockets. */
  async claim(slot: SocketSlot): Promise<boolean> {
    if (!this.enabled) return true;
    const key = this.key(slot.userId);
    const now = Date.now();
    const replies = await this.redis
      .multi()
      .zremrangebyscore(key, '-inf', now)
      .zadd(key, now + this.leaseMs, slot.id)
      .zcard(key)
      .pexpire(key, this.leaseMs)
      .exec();
    const count = replyAt(replies, 2);
    if (count <= this.limit) return true;
    await this.release(slot);
    return false;
  }

  /** Best effort: a member left behind (Redis away at the close) lapses with its lease. */
  async release(slot: SocketSlot): Promise<void> {
    if (!this.enabled) return;
    await this.redis.zrem(this.key(slot.userId), slot.id).catch(() => undefined);
  }

  /** Renews the leases of the sockets this instance still holds (from the heartbeat). */
  async refresh(slots: readonly SocketSlot[]): Promise<void> {
    if (!this.enabled) return;
    const expires = Date.now() + this.leaseMs;
    for (let i = 0; i < slots.length; i += REFRESH_CHUNK) {
      // Command by command (auto-pipelined), not one MULTI: on a Redis Cluster the users' keys are in many slots.
      await Promise.all(slots.slice(i, i + REFRESH_CHUNK).flatMap((s) => [this.redis.zadd(this.key(s.userId), expires, s.id), this.redis.pexpire(this.key(s.userId), this.leaseMs)]));
    }
  }
}

function replyAt(replies: [Error | null, unknown][] | null, index: number): number {
  const reply = replies?.[index];
  if (!reply) throw new Error('Redis MULTI was discarded');
  if (reply[0]) throw reply[0];
  return Number(reply[1]);
}
