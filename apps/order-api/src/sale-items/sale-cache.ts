import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@seckill/config';
import { DomainError, ErrorCode } from '@seckill/contracts';
import { SaleItemRepository, type SaleWindowRecord } from '@seckill/persistence';

export type SaleWindow = SaleWindowRecord;

interface Entry {
  value: SaleWindow | null;
  expiresAt: number;
}

/** Bound on cached ids, so a flood of random ids cannot grow memory without limit. */
const MAX_ENTRIES = 10_000;

/**
 * Sale windows in memory. During a flash sale every request asks about the same few items; a short TTL keeps
 * PostgreSQL out of the hot path, concurrent misses share one query, and unknown ids are cached too. Found by
 * the load test: a blocking refresh under 10,000 waiting requests timed out the pool and turned into 500s.
 */
@Injectable()
export class SaleCache {
  private readonly entries = new Map<number, Entry>();
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
    const hit = this.entries.get(id);
    if (hit) {
      if (hit.expiresAt <= Date.now()) this.load(id).catch(() => undefined);
      return hit.value;
    }
    return this.load(id).catch(() => {
      throw new DomainError(ErrorCode.TRY_AGAIN, 'temporarily unavailable; retry');
    });
  }

  invalidate(id: number): void {
    this.entries.delete(id);
  }

  private load(id: number): Promise<SaleWindow | null> {
    const pending = this.loading.get(id);
    if (pending) return pending;
    const p = this.items
      .window(id)
      .then((value) => {
        if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
        this.entries.set(id, { value, expiresAt: Date.now() + this.config.SALE_CACHE_TTL_MS });
        return value;
      })
      .finally(() => this.loading.delete(id));
    this.loading.set(id, p);
    return p;
  }
}
