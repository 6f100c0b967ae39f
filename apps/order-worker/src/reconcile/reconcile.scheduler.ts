import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { APP_CONFIG, type AppConfig } from '@seckill/config';
import { StockReconciler } from '@seckill/order-lifecycle';

/**
 * Keeps Redis converging to PostgreSQL: at start, every live sale whose counter is missing (Redis restarted
 * empty) is rebuilt before orders flow; then every RECONCILE_INTERVAL_MS every live sale is re-checked.
 */
@Injectable()
export class ReconcileScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running = false;

  constructor(
    private readonly reconciler: StockReconciler,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext('ReconcileScheduler');
  }

  async onApplicationBootstrap(): Promise<void> {
    const missing = await this.reconciler.missingCounters(await this.reconciler.liveItems());
    for (const id of missing) await this.reconciler.reconcile(id);
    if (missing.length) this.logger.warn({ items: missing }, 'rebuilt missing Redis counters at start');
    this.timer = setInterval(() => void this.sweep(), this.config.RECONCILE_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private async sweep(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (const id of await this.reconciler.liveItems()) await this.reconciler.reconcile(id);
    } catch (err) {
      this.logger.error({ err }, 'reconciliation sweep failed; next sweep retries');
    } finally {
      this.running = false;
    }
  }
}
