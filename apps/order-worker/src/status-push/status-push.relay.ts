import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { APP_CONFIG, type AppConfig } from '@seckill/config';
import { OrderLifecycleService } from '@seckill/order-lifecycle';
import { Periodic } from '../reconcile/periodic';

/**
 * Sends the order-status pushes whose first publish failed after their commit (or whose process died before
 * it): every STATUS_PUSH_RELAY_INTERVAL_MS, each push older than STATUS_PUSH_RELAY_AFTER_MS still in the outbox.
 * Any number of workers may relay at once; a push sent twice shows the shopper the same status twice.
 */
@Injectable()
export class StatusPushRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly job: Periodic<number>;

  constructor(
    private readonly lifecycle: OrderLifecycleService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext('StatusPushRelay');
    this.job = new Periodic(config.STATUS_PUSH_RELAY_INTERVAL_MS, () => this.pass(), 0);
  }

  onApplicationBootstrap(): void {
    this.job.start();
  }

  onApplicationShutdown(): void {
    this.job.stop();
  }

  /** One pass now; returns how many pushes went out. */
  relay(): Promise<number> {
    return this.job.once();
  }

  private async pass(): Promise<number> {
    try {
      return await this.lifecycle.relayPushes(this.config.STATUS_PUSH_RELAY_AFTER_MS);
    } catch (err) {
      this.logger.warn({ err }, 'status-push relay failed; next pass retries');
      return 0;
    }
  }
}
