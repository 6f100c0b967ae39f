import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { APP_CONFIG, type AppConfig } from '@seckill/config';
import { DomainError, ErrorCode } from '@seckill/contracts';
import { SaleItemRepository, type SaleWindowRecord } from '@seckill/persistence';

export type SaleWindow = SaleWindowRecord;

interface Entry<T> {
  value: T;
  expiresAt: number;
}

/**
 * Bound on cached known ids (~0.1 KiB each). Only an admin makes an id known; the bench's scaling table runs
 * 20,000 items at once, and at 10,000 every order there missed and read PostgreSQL (issue 13).
 */
export const SALE_CACHE_MAX_ENTRIES = 100_000;
/** Bound on cached unknown ids, so a flood of random ids cannot grow memory without limit. */
export const SALE_CACHE_MAX_UNKNOWN = 10_000;

/**
 * Sale windows in memory. During a flash sale every request asks about the same few items; a short TTL keeps
 * PostgreSQL out of the hot path, concurrent misses share one query, and unknown ids are cached too. Found by
 * the load test: a blocking refresh under 10,000 waiting requests timed out the pool and turned into 500s.
 *
 * Known and unknown ids live in two least-recently-used caches of the same bound: anyone can ask for random ids,
 * but only an admin can make an id known, so a flood of random ids only ever evicts other unknown ids and the
 * live sale's window stays in memory.
 */
@Injectable()
export class SaleCache {
  private readonly known = new LRUCache<number, Entry<SaleWindow>>({ max: SALE_CACHE_MAX_ENTRIES });
  private readonly unknown = new LRUCache<number, Entry<null>>({ max: SALE_CACHE_MAX_UNKNOWN });
  private readonly loading = new Map<number, Promise<SaleWindow | null>>();

  constructor(
    private readonly items: SaleItemRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Synchronous when cached, which is the flash-sale case. An expired entry is still served while one
   * background query refreshes it: under a flood, making every request wait for PostgreSQL (whose pool may
   * have to open a connection first) would stall the whole instance. Only an id never seen waits.
   */
  get(id: number): SaleWindow | null | Promise<SaleWindow | null> {
    const hit = this.known.get(id) ?? this.unknown.get(id);
    if (hit) {
      if (hit.expiresAt <= Date.now()) this.load(id).catch(() => undefined);
      return hit.value;
    }
    return this.load(id).catch(() => {
      throw new DomainError(ErrorCode.TRY_AGAIN, 'temporarily unavailable; retry');
    });
  }

  invalidate(id: number): void {
    this.known.delete(id);
    this.unknown.delete(id);
  }

  private load(id: number): Promise<SaleWindow | null> {
    const pending = this.loading.get(id);
    if (pending) return pending;
    const p = this.items
      .window(id)
      .then((value) => {
        const expiresAt = Date.now() + this.config.SALE_CACHE_TTL_MS;
        if (value) {
          this.unknown.delete(id);
          this.known.set(id, { value, expiresAt });
        } else {
          this.known.delete(id);
          this.unknown.set(id, { value, expiresAt });
        }
        return value;
      })
      .finally(() => this.loading.delete(id));
    this.loading.set(id, p);
    return p;
  }
}
