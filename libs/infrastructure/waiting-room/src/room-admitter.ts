import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { metrics } from '@seckill/observability';
import { publishMessage, type RedisClient } from '@seckill/redis';
import type { RoomEvent } from './room-events';
import type { AdmitOptions, AdmitStep, RoomStore } from './room-store';

/**
 * The most shoppers one admission step lets in: 100,000/s (the highest rate an admin may set) at the default
 * 100 ms step. Bounds the step's reply (two values per admitted shopper) and its time inside Redis.
 */
export const MOST_PER_STEP = 10_000;

export interface AdmitterOptions {
  tickMs: number;
  leaseMs: number;
  tokenTtlMs: number;
  perUnitLeft: number;
}

export interface AdmitterLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

/**
 * Admits shoppers from every room this process is given, one step per room every `tickMs`. Every order-api
 * instance runs one; per room, the one holding the room's lease (in Redis, renewed by each step) admits, the
 * others' steps return LEASED at the cost of one script call. A holder that dies stops renewing, and the first
 * step of another instance after `leaseMs` takes the room over. Since the rate's bucket lives in Redis too, the
 * handover neither loses the pace nor doubles it.
 */
export class RoomAdmitter {
  /** Unique per process start, so a restarted process never mistakes its predecessor's lease for its own. */
  readonly owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private rooms: readonly number[] = [];
  private readonly held = new Set<number>();
  private timer?: NodeJS.Timeout;
  private running = false;
  private stepping?: Promise<void>;
  private lastFailureLog = 0;

  constructor(
    private readonly store: RoomStore,
    private readonly redis: RedisClient,
    private readonly options: AdmitterOptions,
    private readonly logger: AdmitterLogger,
  ) {}

  /** The rooms to keep admitting (replaced whole: the caller reads them from PostgreSQL). */
  setRooms(itemIds: readonly number[]): void {
    this.rooms = itemIds;
    for (const id of this.held) if (!itemIds.includes(id)) this.held.delete(id);
    metrics.roomLeases.set(this.held.size);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule();
  }

  /** Stops stepping and hands the held leases back, so another instance takes over at once instead of after leaseMs. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.stepping;
    await Promise.all([...this.held].map((id) => this.store.releaseLease(id, this.owner).catch(() => undefined)));
    this.held.clear();
    metrics.roomLeases.set(0);
  }

  /** The rooms whose lease this process held at its last step. */
  heldRooms(): number[] {
    return [...this.held];
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.stepping = this.stepAll().finally(() => this.schedule());
    }, this.options.tickMs);
    this.timer.unref();
  }

  private async stepAll(): Promise<void> {
    const o = this.options;
    const admit: AdmitOptions = {
      owner: this.owner,
      leaseMs: o.leaseMs,
      tokenTtlMs: o.tokenTtlMs,
      perUnitLeft: o.perUnitLeft,
      // Two steps' worth: a late step catches up a little, a process stalled for seconds does not burst.
      burstMs: 2 * o.tickMs,
      most: MOST_PER_STEP,
    };
    await Promise.all(this.rooms.map((id) => this.step(id, admit)));
    metrics.roomLeases.set(this.held.size);
  }

  private async step(itemId: number, admit: AdmitOptions): Promise<void> {
    let step: AdmitStep;
    try {
      step = await this.store.admit(itemId, admit);
    } catch (err) {
      // Redis away: nobody admits meanwhile (the lease lapses), and the bucket resumes from its state when it is back.
      if (Date.now() - this.lastFailureLog > 5000) {
        this.lastFailureLog = Date.now();
        this.logger.warn({ err, seckillGoodId: itemId }, 'waiting room: admission step failed; retrying');
      }
      return;
    }
    if (step.kind === 'LEASED') {
      if (this.held.delete(itemId)) this.logger.warn({ seckillGoodId: itemId, holder: step.holder }, 'waiting room: lease taken over by another process');
      return;
    }
    if (!this.held.has(itemId)) {
      this.held.add(itemId);
      this.logger.info({ seckillGoodId: itemId, owner: this.owner }, 'waiting room: this process now admits');
    }
    if (step.kind === 'CLOSED') {
      metrics.roomClosed.inc({ reason: step.reason });
      this.logger.info({ seckillGoodId: itemId, reason: step.reason }, 'waiting room closed; everyone waiting is told');
      await this.announce({ kind: 'closed', itemId, reason: step.reason });
    } else if (step.kind === 'ADMITTED' && step.admitted.length > 0) {
      metrics.roomAdmitted.inc(step.admitted.length);
      this.logger.debug({ seckillGoodId: itemId, admitted: step.admitted.length }, 'waiting room: admitted');
      await this.announce({ kind: 'admitted', itemId, expiresMs: step.expiresMs, admitted: step.admitted });
    }
  }

  /** Best effort: a notifier that misses it reads the same state from Redis at its next push. */
  private async announce(event: RoomEvent): Promise<void> {
    await publishMessage(this.redis, this.store.channel, JSON.stringify(event)).catch((err: unknown) => {
      this.logger.warn({ err, seckillGoodId: event.itemId }, 'waiting room: could not announce; notifiers catch up at their next push');
    });
  }
}
