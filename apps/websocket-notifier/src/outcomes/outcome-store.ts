import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@seckill/config';
import { toFrame, type OrderFrame, type OrderResultMessage, type OrderStatusMessage } from '@seckill/contracts';
import { publishMessage, REDIS, type RedisClient } from '@seckill/redis';
import { StockService } from '@seckill/stock';
import { SocketRegistry } from '../socket/socket-registry';

export interface StoredOutcome {
  userId: number;
  frames: OrderFrame[];
}

/** What an instance's channel carries: one uuid's frame, and whose the uuid is. */
export interface Announcement {
  uuid: string;
  userId: number;
  frame: OrderFrame;
}

/**
 * Outcomes kept in Redis (a hash per uuid: `result`, `status`, `userId`) for sockets that connect after the
 * fact, and announced to the instances the registry says hold a socket for the uuid (SocketRegistry). Writing is idempotent (a replayed outcome sets the same fields), and the TTL outlives
 * the payment window, so a shopper who comes back before the deadline still sees the order.
 */
@Injectable()
export class OutcomeStore {
  private readonly ttlSeconds: number;

  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    private readonly stock: StockService,
    private readonly registry: SocketRegistry,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.ttlSeconds = config.PAYMENT_WINDOW_SECONDS + 3600;
  }

  /** The hash of a uuid's outcome. */
  key(uuid: string): string {
    return this.stock.keys.outcome(uuid);
  }

  /**
   * Store first, then read who holds the uuid and announce to them: a socket that registers before reading the
   * store can miss neither (SocketRegistry).
   */
  async record(message: OrderResultMessage | OrderStatusMessage): Promise<void> {
    const key = this.key(message.uuid);
    const frame = toFrame(message);
    const field = frame.type === 'order.result' ? 'result' : 'status';
    await this.redis.multi().hset(key, field, JSON.stringify(frame), 'userId', String(message.userId)).expire(key, this.ttlSeconds).exec();
    const holders = await this.registry.holders(message.uuid);
    if (holders.length === 0) return;
    const announcement: Announcement = { uuid: message.uuid, userId: message.userId, frame };
    const payload = JSON.stringify(announcement);
    await Promise.all(holders.map((instance) => publishMessage(this.redis, this.registry.channel(instance), payload)));
  }

  /** Puts back an outcome Redis lost (from PostgreSQL), so later sockets and other instances find it again. */
  async restore(uuid: string, outcome: StoredOutcome): Promise<void> {
    const key = this.key(uuid);
    const fields: string[] = ['userId', String(outcome.userId)];
    for (const f of outcome.frames) fields.push(f.type === 'order.result' ? 'result' : 'status', JSON.stringify(f));
    await this.redis.multi().hset(key, ...fields).expire(key, this.ttlSeconds).exec();
  }

  async read(uuid: string): Promise<StoredOutcome | null> {
    const h = await this.redis.hgetall(this.key(uuid));
    if (!h.userId) return null;
    const frames = [h.result, h.status].filter((f): f is string => !!f).map((f) => JSON.parse(f) as OrderFrame);
    return { userId: Number(h.userId), frames };
  }

  /** Who placed this request, if anyone knows yet: the stored outcome, or order-api's reservation record. */
  async owner(uuid: string): Promise<number | null> {
    const stored = await this.redis.hget(this.key(uuid), 'userId');
    if (stored) return Number(stored);
    return (await this.stock.request(uuid))?.userId ?? null;
  }
}
