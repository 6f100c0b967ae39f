import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { APP_CONFIG, type AppConfig } from '@seckill/config';
import { DomainError, ErrorCode } from '@seckill/contracts';
import { StockSync } from '@seckill/order-lifecycle';
import { LiveItems } from './live-items';
import { Periodic } from './periodic';

/**
 * Keeps Redis converging to PostgreSQL: at start, every live sale whose counter is missing is loaded (first
 * load) or held (Redis lost it: FenceLifter releases it); then every RECONCILE_INTERVAL_MS every live sale is
 * re-checked. A dependency that is down only postpones the work to the next sweep: it never stops the worker.
 */
@Injectable()
export class ReconcileScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly job: Periodic<void>;

  constructor(
    private readonly sync: StockSync,
    private readonly live: LiveItems,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext('ReconcileScheduler');
    this.job = new Periodic(config.RECONCILE_INTERVAL_MS, () => this.sweep(), undefined);
  }

  async onApplicationBootstrap(): Promise<void> {
    try {
      const missing = await this.sync.missingCounters(await this.sync.liveItems());
      for (const id of missing) this.logger.warn({ seckillGoodId: id, outcome: await this.sync.ensureLoaded(id) }, 'missing Redis counter found at start');
    } catch (err) {
      this.logger.warn({ err }, 'could not check Redis counters at start; the periodic sweep will');
    }
    this.job.start();
  }

  onApplicationShutdown(): void {
    this.job.stop();
  }

  private async sweep(): Promise<void> {
    try {
      for (const id of await this.live.get()) {
        try {
          await this.sync.reconcile(id);
        } catch (err) {
          // A held item is the FenceLifter's; anything else (a dependency down) waits for the next sweep.
          if (err instanceof DomainError && err.code === ErrorCode.TRY_AGAIN) continue;
          throw err;
        }
      }
    } catch (err) {
      this.logger.warn({ err }, 'reconciliation sweep failed; next sweep retries');
    }
  }
}
