import { Inject, Injectable, Optional, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { APP_CONFIG, rabbitmqVhost, type AppConfig } from '@seckill/config';
import { ManagementClient, Queue, RETRY_DELAYS, StockBroadcast, retryQueueName } from '@seckill/messaging';
import { metrics } from '@seckill/observability';
import { StockSync } from '@seckill/order-lifecycle';
import { StockService } from '@seckill/stock';
import { Periodic } from './periodic';

/** The queues an order reserved before a Redis loss may still be in: waiting, in a worker's hands, or delayed. */
const ORDER_PIPELINE = [Queue.PENDING, ...RETRY_DELAYS.map(retryQueueName)];

/**
 * Releases items held after Redis lost their state (fence-stock.lua). An item is released once every order
 * reserved before the loss has been decided, which is known when the pending queue and the delay queues have
 * been seen empty — ready and unacknowledged — at a moment when no such order can still be on its way: later
 * than the loss plus a publish-confirm timeout (an order-api answers 202 only after the confirm, and gives up
 * after the timeout), measured by RabbitMQ's own statistics and allowing for their sampling lag. That is
 * conservative (another item's traffic also keeps the queues busy; the held item then waits longer) but it never
 * releases too early, which would promise the in-flight units a second time. Then Redis is rebuilt from
 * PostgreSQL and every order-api clears its flags.
 */
@Injectable()
export class FenceLifter implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly job: Periodic<number[]>;
  private readonly management: ManagementClient;
  private readonly vhost: string;
  private readonly known = new Set<number>();

  constructor(
    private readonly stock: StockService,
    private readonly sync: StockSync,
    private readonly broadcast: StockBroadcast,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly logger: PinoLogger,
    // Nest provides none (the client is built from the configuration); the svc tests hand in a fake.
    @Optional() management?: ManagementClient,
  ) {
    logger.setContext('FenceLifter');
    this.management = management ?? new ManagementClient(config.RABBITMQ_MANAGEMENT_URL);
    this.vhost = rabbitmqVhost(config.RABBITMQ_URL);
    this.job = new Periodic(config.FENCE_CHECK_INTERVAL_MS, () => this.liftWhatCan().catch((err: unknown) => {
      this.logger.warn({ err }, 'could not check held items; retrying');
      return [];
    }), []);
  }

  onApplicationBootstrap(): void {
    this.job.start();
  }

  onApplicationShutdown(): void {
    this.job.stop();
  }

  /** One pass; returns the items released. */
  check(): Promise<number[]> {
    return this.job.once();
  }

  private async liftWhatCan(): Promise<number[]> {
    const held = await this.stock.fenced();
    for (const h of held) {
      metrics.stockFenced.set({ seckill_good_id: String(h.itemId) }, 1);
      this.known.add(h.itemId);
    }
    // Items another worker released: their gauge goes back to 0 here too.
    for (const id of this.known) {
      if (held.some((h) => h.itemId === id)) continue;
      metrics.stockFenced.set({ seckill_good_id: String(id) }, 0);
      this.known.delete(id);
    }
    const settleBy = (sinceMs: number) => sinceMs + this.config.PUBLISH_CONFIRM_TIMEOUT_MS + this.config.FENCE_STATS_LAG_MS;
    const due = held.filter((h) => Date.now() >= settleBy(h.sinceMs));
    if (due.length === 0) return [];
    const busy = await this.busyQueues();
    if (busy.length > 0) {
      this.logger.info({ items: due.map((h) => h.itemId), busy }, 'held items wait: orders queued before the Redis loss may still be undecided');
      return [];
    }
    const lifted: number[] = [];
    for (const h of due) {
      try {
        await this.sync.reconcile(h.itemId, 'lift');
      } catch (err) {
        this.logger.warn({ err, seckillGoodId: h.itemId }, 'could not release a held item; retrying');
        continue;
      }
      lifted.push(h.itemId);
      metrics.stockFenced.set({ seckill_good_id: String(h.itemId) }, 0);
      this.known.delete(h.itemId);
      await this.broadcast.unitsBack(h.itemId, 'reconcile').catch((err: unknown) => this.logger.warn({ err }, 'stock-back broadcast failed; flags expire by themselves'));
    }
    return lifted;
  }

  /** The order pipeline's queues that are not seen empty (or not seen at all yet: statistics still missing). */
  private async busyQueues(): Promise<string[]> {
    const queues = new Map((await this.management.queues(this.vhost)).map((q) => [q.name, q]));
    return ORDER_PIPELINE.filter((name) => {
      const q = queues.get(name);
      return !q || typeof q.messages !== 'number' || q.messages > 0;
    }).map((name) => `${name}=${queues.get(name)?.messages ?? '?'}`);
  }
}
