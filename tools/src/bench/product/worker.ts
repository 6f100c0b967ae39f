import { randomUUID } from 'node:crypto';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import { Client } from 'pg';
import { MESSAGE_VERSION, type OrderPlacedMessage } from '@seckill/contracts';
import { ConfirmedPublisher, createAmqpConnection, Exchange, paymentWindowQueue, Queue, RoutingKey } from '@seckill/messaging';
import { createRedisClient, type RedisClient } from '@seckill/redis';
import { StockKeys, StockService } from '@seckill/stock';
import { AppProcess, freePort, seedSale } from '@seckill/testing';
import type { Bench } from '../bench';
import { CpuWindow, describeCpu, SERVERS } from '../cpu';
import { deleteKeys, purgeQueues, type World } from '../fixtures';
import { floodCount, log, type Sample } from '../measurement';
import type { BenchOptions } from '../options';

/**
 * Orders persisted by order-worker. Per round, with the worker stopped: a sale of N units, and N orders
 * reserved and queued exactly as order-api does it (Lua reservation, confirmed publish, mark queued) by N
 * distinct shoppers. Then the worker starts (a fresh process, LOG_LEVEL=info) and the item's stock_left in
 * PostgreSQL is polled every 10 ms — it falls in the same transaction that inserts the orders and records the
 * outcomes. Throughput: orders committed between the first and the last poll that saw progress, over that
 * time (the worker's boot is reported apart).
 */
export class WorkerThroughput implements Bench {
  readonly id = 'worker' as const;
  readonly label = 'orders persisted by order-worker';
  readonly method: string;
  private redis?: RedisClient;
  private connection?: AmqpConnectionManager;
  private publisher?: ConfirmedPublisher;
  private stock?: StockService;
  private db?: Client;

  constructor(
    private readonly opts: BenchOptions,
    private readonly world: () => World,
  ) {
    this.method = `${opts.workerOrders} orders queued while the worker is stopped (reserved and published as order-api does), then the worker started; stock_left polled every 10 ms until all are committed`;
  }

  async setup(): Promise<void> {
    const env = this.world().env;
    this.redis = createRedisClient(env.redisUrl, 'bench-worker-preload');
    this.stock = new StockService(this.redis, new StockKeys(env.redisKeyPrefix));
    this.connection = createAmqpConnection({ url: env.amqpUrl, name: 'bench-worker-preload' });
    this.publisher = new ConfirmedPublisher(this.connection, 30_000);
    await this.publisher.waitForConnect();
    this.db = new Client({ connectionString: env.databaseUrl });
    await this.db.connect();
  }

  /** Reserves and queues `n` orders for a fresh item, as order-api would; returns the item id. */
  private async preload(n: number): Promise<number> {
    const users = this.world().shoppers.users;
    if (n > users.length) throw new Error(`worker preload needs ${n} shoppers, the world has ${users.length}`);
    const itemId = await seedSale(this.world().env.databaseUrl, { name: 'bench worker', stock: n });
    await this.stock!.load(itemId, n, []);
    const placedAt = new Date().toISOString();
    await floodCount(this.opts.concurrency, n, async (i) => {
      const uuid = randomUUID();
      const user = users[i]!;
      const reserved = await this.stock!.reserve(itemId, user.id, uuid);
      if (reserved.kind !== 'RESERVED') throw new Error(`preload reserve answered ${reserved.kind}`);
      const message: OrderPlacedMessage = { version: MESSAGE_VERSION, uuid, userId: user.id, seckillGoodId: itemId, placedAt };
      await this.publisher!.publish(Exchange.ORDER, RoutingKey.ORDER_PENDING, message, { uuid });
      await this.stock!.markQueued(itemId, user.id, uuid);
    });
    return itemId;
  }

  private async stockLeft(itemId: number): Promise<number> {
    const res = await this.db!.query<{ stock_left: number }>('SELECT stock_left FROM seckill_goods WHERE id = $1', [itemId]);
    return res.rows[0]!.stock_left;
  }

  private async once(n: number, tag: string): Promise<Sample> {
    const itemId = await this.preload(n);
    const env = this.world().env;
    const worker = new AppProcess('order-worker', `bench-worker-${tag}-${env.id}`, await freePort(), { ...env.vars, LOG_LEVEL: 'info' });
    const cpu = new CpuWindow({ redis: SERVERS.redis, rabbitmq: SERVERS.rabbitmq, postgres: SERVERS.postgres }, 'order-worker');
    const spawned = performance.now();
    let firstAt = 0;
    let firstDone = 0;
    let lastAt = 0;
    let healthyAt = 0;
    try {
      const starting = worker.start(60_000).then(() => (healthyAt = performance.now()));
      const deadline = spawned + 300_000;
      let left = n;
      while (left > 0) {
        if (performance.now() > deadline) throw new Error(`worker did not persist ${n} orders within 300 s (${n - left} done)`);
        await new Promise((r) => setTimeout(r, 10));
        const now = performance.now();
        left = await this.stockLeft(itemId);
        if (left < n && firstAt === 0) {
          firstAt = now;
          firstDone = n - left;
        }
        if (left === 0) lastAt = now;
      }
      await starting;
    } finally {
      await worker.stop();
    }
    const usage = cpu.stop();
    const orders = await this.db!.query<{ n: string }>('SELECT count(*) AS n FROM orders WHERE seckill_good_id = $1', [itemId]);
    // The round's outcomes and payment windows wait in queues nobody consumes here, and its request records
    // in Redis: removed, so every round (and every measurement after it) starts from the same state.
    await purgeQueues(env.amqpUrl, [Queue.NOTIFY_RESULTS, paymentWindowQueue(Number(env.vars.PAYMENT_WINDOW_SECONDS ?? process.env.PAYMENT_WINDOW_SECONDS ?? 900)).name]);
    await deleteKeys(this.redis!, `${env.redisKeyPrefix}{good:${itemId}}:req:*`);
    await deleteKeys(this.redis!, `${env.redisKeyPrefix}reqitem:*`);
    const seconds = (lastAt - firstAt) / 1000;
    const value = seconds > 0 ? (n - firstDone) / seconds : Number.NaN;
    return {
      value,
      cpu: usage,
      detail: {
        orders: n,
        ordersInDb: Number(orders.rows[0]!.n),
        bootSeconds: healthyAt > 0 ? (healthyAt - spawned) / 1000 : undefined,
        spawnToAllSeconds: (lastAt - spawned) / 1000,
        measuredSeconds: seconds,
      },
    };
  }

  async warmup(): Promise<void> {}

  async run(round: number): Promise<Sample> {
    const sample = await this.once(this.opts.workerOrders, `r${round}`);
    const d = sample.detail!;
    log(
      `  order-worker: ${Math.round(sample.value)} orders/s (${d.ordersInDb as number} orders; boot ${(d.bootSeconds as number).toFixed(1)} s, ` +
        `spawn to all persisted ${(d.spawnToAllSeconds as number).toFixed(1)} s); cpu ${describeCpu(sample.cpu!)}`,
    );
    return sample;
  }

  async teardown(): Promise<void> {
    await this.publisher?.close().catch(() => undefined);
    await this.connection?.close().catch(() => undefined);
    await this.redis?.quit().catch(() => undefined);
    await this.db?.end().catch(() => undefined);
  }
}
