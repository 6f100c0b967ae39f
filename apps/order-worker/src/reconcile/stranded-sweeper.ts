import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { APP_CONFIG, type AppConfig } from '@seckill/config';
import { StockBroadcast } from '@seckill/messaging';
import { metrics } from '@seckill/observability';
import { StockService } from '@seckill/stock';
import { LiveItems } from './live-items';
import { Periodic } from './periodic';

/**
 * Finds reservations still PUBLISHING long after any order-api would have settled them (its process died between
 * the Lua reserve and the publish confirm, or it could not abandon the reservation) and releases them exactly as
 * order-api's own abandon would: the unit goes back, the request is recorded ABANDONED, so a late message is
 * dropped by the worker, a poll answers 404 and the shopper's retry with the same requestId reserves afresh. The
 * abandon and the worker's claim are atomic against each other: a message that did reach the queue and was
 * claimed first is left alone (it will be decided). Any number of workers may sweep at once.
 */
@Injectable()
export class StrandedSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly job: Periodic<number>;

  constructor(
    private readonly stock: StockService,
    private readonly live: LiveItems,
    private readonly broadcast: StockBroadcast,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext('StrandedSweeper');
    this.job = new Periodic(config.STRANDED_SWEEP_INTERVAL_MS, () => this.pass(), 0);
  }

  onApplicationBootstrap(): void {
    this.job.start();
  }

  onApplicationShutdown(): void {
    this.job.stop();
  }

  /** One pass over every live item; returns how many units went back. */
  sweep(): Promise<number> {
    return this.job.once();
  }

  private async pass(): Promise<number> {
    try {
      let released = 0;
      let oldest: number | null = null;
      const cutoff = Date.now() - this.config.STRANDED_AFTER_MS;
      for (const itemId of await this.live.get()) {
        let returnedHere = 0;
        for (const uuid of await this.stock.publishingBefore(itemId, cutoff)) {
          if (!(await this.stock.releaseStranded(itemId, uuid))) continue;
          returnedHere++;
          this.logger.warn({ uuid, seckillGoodId: itemId, strandedAfterMs: this.config.STRANDED_AFTER_MS }, 'stranded reservation released: its publish was never confirmed');
        }
        if (returnedHere > 0) {
          released += returnedHere;
          await this.broadcast.unitsBack(itemId, 'order.fail').catch((err: unknown) => this.logger.warn({ err }, 'stock-back broadcast failed; flags expire by themselves'));
        }
        const at = await this.stock.oldestPublishing(itemId);
        if (at !== null && (oldest === null || at < oldest)) oldest = at;
      }
      if (released > 0) metrics.reservationsStranded.inc(released);
      metrics.oldestPublishing.set(oldest === null ? 0 : Math.max(0, (Date.now() - oldest) / 1000));
      return released;
    } catch (err) {
      this.logger.warn({ err }, 'stranded-reservation sweep failed; next sweep retries');
      return 0;
    }
  }
}
