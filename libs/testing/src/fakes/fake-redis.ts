import { EventEmitter } from 'node:events';
import type Redis from 'ioredis';

/**
 * What one Redis server holds, shared by every FakeRedis connected to it: the notifier's command connection and
 * its subscriber are two connections to one server, so what one publishes the other hears.
 */
export class FakeRedisServer {
  readonly hashes = new Map<string, Map<string, string>>();
  /** Sorted sets: member → score. */
  readonly zsets = new Map<string, Map<string, number>>();
  /** The TTL (seconds) last set on a key; time never passes here, nothing expires. */
  readonly ttls = new Map<string, number>();
  readonly connections = new Set<FakeRedis>();

  /** Redis restarted empty: every key is gone (connections and their subscriptions are the clients' business). */
  flushAll(): void {
    this.hashes.clear();
    this.zsets.clear();
    this.ttls.clear();
  }

  /** PUBLISH: every connected subscriber of the channel gets it; the answer is how many. */
  publish(channel: string, message: string): number {
    const receivers = [...this.connections].filter((c) => c.status === 'ready' && c.channels.has(channel));
    // A subscriber reads the message off its own socket, later than the publisher's command returns.
    for (const r of receivers) queueMicrotask(() => r.emit('message', channel, message));
    return receivers.length;
  }
}

/** MULTI … EXEC: the queued writes are applied together at exec, or not at all when the call fails. */
export class FakeMulti {
  private readonly ops: (() => unknown)[] = [];

  constructor(private readonly conn: FakeRedis) {}

  hset(key: string, ...fieldsAndValues: string[]): this {
    this.ops.push(() => this.conn.applyHset(key, fieldsAndValues));
    return this;
  }

  expire(key: string, seconds: number): this {
    this.ops.push(() => this.conn.applyExpire(key, seconds));
    return this;
  }

  zremrangebyscore(key: string, min: number | '-inf', max: number): this {
    this.ops.push(() => this.conn.applyZremrangebyscore(key, min === '-inf' ? -Infinity : min, max));
    return this;
  }

  zadd(key: string, score: number, member: string): this {
    this.ops.push(() => this.conn.applyZadd(key, score, member));
    return this;
  }

  zcard(key: string): this {
    this.ops.push(() => this.conn.server.zsets.get(key)?.size ?? 0);
    return this;
  }

  /** The TTL is recorded in seconds (rounded up), as `ttls` holds for EXPIRE. */
  pexpire(key: string, ms: number): this {
    this.ops.push(() => this.conn.applyExpire(key, Math.ceil(ms / 1000)));
    return this;
  }

  async exec(): Promise<[Error | null, unknown][]> {
    this.conn.check();
    return this.ops.map((op) => [null, op()]);
  }
}

/**
 * One ioredis connection, in memory: exactly the commands the notifier uses (hashes with a TTL in a MULTI,
 * sorted sets (ZADD, ZREMRANGEBYSCORE, ZCARD, PEXPIRE in a MULTI or alone; ZREM, ZCARD, ZRANGEBYSCORE), PUBLISH, HGETALL, HGET, HMGET,
 * SUBSCRIBE/UNSUBSCRIBE, `status`, the `message` and `ready` events). Anything
 * else is absent, so code that starts using another command fails loudly here instead of passing on a guess.
 *
 * `failNext(err)` makes the next command(s) reject (Redis away). `drop()` / `reconnect()` play a lost connection
 * coming back: messages published meanwhile never arrive (Redis pub/sub keeps nothing), subscriptions are
 * restored by the client and 'ready' is emitted, as ioredis does.
 */
export class FakeRedis extends EventEmitter {
  status: 'ready' | 'reconnecting' = 'ready';
  readonly channels = new Set<string>();
  private failures: unknown[] = [];

  constructor(readonly server: FakeRedisServer = new FakeRedisServer()) {
    super();
    server.connections.add(this);
  }

  /** The one place the fake is handed over as an ioredis client (it has only the commands listed above). */
  asRedis(): Redis {
    return this as unknown as Redis;
  }

  failNext(err: unknown, times = 1): void {
    for (let i = 0; i < times; i++) this.failures.push(err);
  }

  check(): void {
    const err = this.failures.shift();
    if (err !== undefined) throw err;
  }

  drop(): void {
    this.status = 'reconnecting';
  }

  reconnect(): void {
    this.status = 'ready';
    this.emit('ready');
  }

  multi(): FakeMulti {
    return new FakeMulti(this);
  }

  async zadd(key: string, score: number, member: string): Promise<number> {
    this.check();
    return this.applyZadd(key, score, member);
  }

  /** The TTL is recorded in seconds (rounded up), as `ttls` holds for EXPIRE. */
  async pexpire(key: string, ms: number): Promise<number> {
    this.check();
    return this.applyExpire(key, Math.ceil(ms / 1000));
  }

  async publish(channel: string, message: string): Promise<number> {
    this.check();
    return this.server.publish(channel, message);
  }

  async hgetall(key: string): Promise<Record<string, string>> {
    this.check();
    return Object.fromEntries(this.server.hashes.get(key) ?? []);
  }

  async hget(key: string, field: string): Promise<string | null> {
    this.check();
    return this.server.hashes.get(key)?.get(field) ?? null;
  }

  async hmget(key: string, ...fields: string[]): Promise<(string | null)[]> {
    this.check();
    const h = this.server.hashes.get(key);
    return fields.map((f) => h?.get(f) ?? null);
  }

  async zrem(key: string, ...members: string[]): Promise<number> {
    this.check();
    const z = this.server.zsets.get(key);
    const removed = members.filter((m) => z?.delete(m)).length;
    if (z?.size === 0) this.server.zsets.delete(key);
    return removed;
  }

  async zcard(key: string): Promise<number> {
    this.check();
    return this.server.zsets.get(key)?.size ?? 0;
  }

  /** The members scored from `min` on (`max` is always '+inf' here), lowest score first. */
  async zrangebyscore(key: string, min: number, max: '+inf'): Promise<string[]> {
    this.check();
    if (max !== '+inf') throw new Error('the fake reads open-ended ranges only');
    return [...(this.server.zsets.get(key) ?? [])].filter(([, score]) => score >= min).sort((a, b) => a[1] - b[1]).map(([m]) => m);
  }

  async subscribe(...channels: string[]): Promise<number> {
    this.check();
    for (const c of channels) this.channels.add(c);
    return this.channels.size;
  }

  async unsubscribe(...channels: string[]): Promise<number> {
    this.check();
    for (const c of channels) this.channels.delete(c);
    return this.channels.size;
  }

  /** @internal used by FakeMulti.exec */
  applyHset(key: string, fieldsAndValues: readonly string[]): number {
    if (fieldsAndValues.length === 0 || fieldsAndValues.length % 2 !== 0) throw new Error('ERR wrong number of arguments for \'hset\' command');
    let h = this.server.hashes.get(key);
    if (!h) this.server.hashes.set(key, (h = new Map()));
    let added = 0;
    for (let i = 0; i < fieldsAndValues.length; i += 2) {
      if (!h.has(fieldsAndValues[i]!)) added++;
      h.set(fieldsAndValues[i]!, fieldsAndValues[i + 1]!);
    }
    return added;
  }

  /** @internal used by FakeMulti.exec */
  applyZadd(key: string, score: number, member: string): number {
    let z = this.server.zsets.get(key);
    if (!z) this.server.zsets.set(key, (z = new Map()));
    const added = z.has(member) ? 0 : 1;
    z.set(member, score);
    return added;
  }

  /** @internal used by FakeMulti.exec */
  applyZremrangebyscore(key: string, min: number, max: number): number {
    const z = this.server.zsets.get(key);
    if (!z) return 0;
    let removed = 0;
    for (const [member, score] of z) {
      if (score >= min && score <= max) {
        z.delete(member);
        removed++;
      }
    }
    if (z.size === 0) this.server.zsets.delete(key);
    return removed;
  }

  /** @internal used by FakeMulti.exec */
  applyExpire(key: string, seconds: number): number {
    if (!this.server.hashes.has(key) && !this.server.zsets.has(key)) return 0;
    this.server.ttls.set(key, seconds);
    return 1;
  }
}
