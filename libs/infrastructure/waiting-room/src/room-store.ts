import { randomBytes, randomInt } from 'node:crypto';
import type { RedisClient } from '@seckill/redis';
import { RoomKeys } from './room-keys';
import { defineRoomScripts } from './room-scripts';
import { parseRoomState, type RoomPace, type RoomState } from './room-state';
import type { RoomClosedReason } from '@seckill/contracts';

/** A room's settings as Redis keeps them for the scripts (PostgreSQL holds the same, and is the truth). */
export interface RoomConfig {
  enabled: boolean;
  admitPerSecond: number;
  preQueueSeconds: number;
  startMs: number;
  endMs: number;
}

export interface AdmitOptions {
  owner: string;
  leaseMs: number;
  tokenTtlMs: number;
  /** Admissions outstanding (handed out, not used, not lapsed) allowed per unit left. */
  perUnitLeft: number;
  burstMs: number;
  most: number;
}

/** One admission step's outcome (admit-room.lua). */
export type AdmitStep =
  | { kind: 'LEASED'; holder: string }
  | { kind: 'IDLE' }
  | { kind: 'CLOSED'; reason: RoomClosedReason }
  | { kind: 'ADMITTED'; expiresMs: number; admitted: [userId: number, token: string][] };

/** Everyone's place in one room at one moment: what the notifier pushes positions from. */
export interface RoomSnapshot {
  enabled: boolean;
  closed: RoomClosedReason | null;
  pace: RoomPace;
  /** user id → shoppers ahead. */
  ahead: Map<number, number>;
}

export interface RoomCounts {
  waiting: number;
  admitted: number;
  outstanding: number;
  closed: RoomClosedReason | null;
}

/** How long a room's keys outlive its sale: late pollers still read CLOSED, then Redis forgets the room. */
const KEEP_AFTER_END_MS = 3_600_000;

/** A place in [0, 1) for a pre-queue join, from the system's CSPRNG (48 bits: ties are as good as impossible). */
function randomPlace(): string {
  return (randomInt(0, 2 ** 48 - 1) / 2 ** 48).toString();
}

/** The waiting rooms in Redis: every read and write of a room goes through one of these atomic scripts. */
export class RoomStore {
  constructor(
    private readonly redis: RedisClient,
    readonly keys: RoomKeys,
  ) {
    defineRoomScripts(redis);
  }

  /** Writes the settings (and the window) the scripts read; the room's state (queue, tokens, bucket) is kept. */
  async configure(itemId: number, c: RoomConfig): Promise<void> {
    const key = this.keys.room(itemId);
    await this.redis.hset(key, {
      enabled: c.enabled ? '1' : '0',
      rate: c.admitPerSecond,
      opensMs: c.startMs - c.preQueueSeconds * 1000,
      startMs: c.startMs,
      endMs: c.endMs,
    });
    await this.expireAfterEnd(itemId, c.endMs);
  }

  join(itemId: number, userId: number): Promise<RoomState> {
    return this.ticket(itemId, userId, 'join');
  }

  read(itemId: number, userId: number): Promise<RoomState> {
    return this.ticket(itemId, userId, 'read');
  }

  /** Spends the token on the order request `uuid`; false when it is not this user's valid, unspent token for the item. */
  async useAdmission(itemId: number, userId: number, token: string, uuid: string): Promise<boolean> {
    return (await this.redis.useAdmission(this.keys.tickets(itemId), this.keys.unused(itemId), userId, token, uuid)) === 1;
  }

  async admit(itemId: number, o: AdmitOptions): Promise<AdmitStep> {
    const k = this.keys;
    const seed = randomBytes(12).toString('hex');
    const reply = await this.redis.admitRoom(
      k.room(itemId), k.queue(itemId), k.tickets(itemId), k.unused(itemId), k.stock(itemId), k.lease(itemId),
      o.owner, o.leaseMs, o.tokenTtlMs, o.perUnitLeft, o.burstMs, seed, o.most,
    );
    const [kind, a] = reply;
    if (kind === 'LEASED') return { kind, holder: String(a) };
    if (kind === 'IDLE') return { kind };
    if (kind === 'CLOSED') return { kind, reason: a === 'ENDED' ? 'ENDED' : 'SOLD_OUT' };
    if (kind !== 'ADMITTED') throw new Error(`unexpected admit-room reply ${JSON.stringify(reply)}`);
    const admitted: [number, string][] = [];
    for (let i = 2; i + 1 < reply.length; i += 2) admitted.push([Number(reply[i]), String(reply[i + 1])]);
    return { kind, expiresMs: Number(a), admitted };
  }

  async releaseLease(itemId: number, owner: string): Promise<void> {
    await this.redis.releaseRoomLease(this.keys.lease(itemId), owner);
  }

  /** For the ops console and the admin route: one command per key (they share a slot; auto-pipelined). */
  async counts(itemId: number): Promise<RoomCounts> {
    const k = this.keys;
    const [waiting, admitted, outstanding, closed] = await Promise.all([
      this.redis.zcard(k.queue(itemId)),
      this.redis.hget(k.room(itemId), 'admitted'),
      this.redis.zcount(k.unused(itemId), Date.now(), '+inf'),
      this.redis.hget(k.room(itemId), 'closed'),
    ]);
    return { waiting, admitted: Number(admitted ?? 0), outstanding, closed: closed === 'SOLD_OUT' || closed === 'ENDED' ? closed : null };
  }

  /**
   * The whole line of a room in two reads (the queue, the settings), for pushing positions to many sockets: one
   * reply of the queue every push interval instead of one script call per waiting socket. Not one atomic read;
   * a position shown may be one admission step old, which the next push corrects.
   */
  async snapshot(itemId: number): Promise<RoomSnapshot> {
    const k = this.keys;
    const [members, [enabled, rate, startMs, closed]] = await Promise.all([
      this.redis.zrange(k.queue(itemId), 0, -1),
      this.redis.hmget(k.room(itemId), 'enabled', 'rate', 'startMs', 'closed'),
    ]);
    return {
      enabled: enabled === '1',
      closed: closed === 'SOLD_OUT' || closed === 'ENDED' ? closed : null,
      pace: { admitPerSecond: Math.max(1, Number(rate ?? 1)), startMs: Number(startMs ?? 0) },
      ahead: new Map(members.map((m, i) => [Number(m), i])),
    };
  }

  /** The notifiers' channel for admissions and closings. */
  get channel(): string {
    return this.keys.events();
  }

  private async ticket(itemId: number, userId: number, mode: 'join' | 'read'): Promise<RoomState> {
    const k = this.keys;
    return parseRoomState(await this.redis.roomTicket(k.room(itemId), k.queue(itemId), k.tickets(itemId), k.unused(itemId), userId, mode, randomPlace()));
  }

  private async expireAfterEnd(itemId: number, endMs: number): Promise<void> {
    const at = endMs + KEEP_AFTER_END_MS;
    const k = this.keys;
    await Promise.all([k.room(itemId), k.queue(itemId), k.tickets(itemId), k.unused(itemId)].map((key) => this.redis.pexpireat(key, at)));
  }
}
