import { Client } from 'pg';
import { paymentWindowQueue, Queue } from '@seckill/messaging';
import { AppProcess, freePort, seedSale } from '@seckill/testing';
import type { Bench } from '../bench';
import { CpuWindow, describeCpu, SERVERS } from '../cpu';
import { purgeQueues } from '../fixtures';
import { log, type Sample } from '../measurement';
import type { BenchOptions } from '../options';
import { ratePerSec, rotatingFlood, runWrk, secondsToLast2xx, spanSeconds, type WrkResult } from '../wrk';
import { ApiFixture } from './api-fixture';

/** How often PostgreSQL is asked whether every unit sold is an order yet. */
const POLL_MS = 10;

/** What one sell-out round keeps in the JSON (`detail`); the report's sell-out table reads it. */
export interface SellOutDetail {
  shoppers: number;
  units: number;
  connections: number;
  /** 2xx answers: units sold. */
  sold: number;
  codes: Record<string, number>;
  /** Requests wrk sent, fillers (GET /health once a connection ran out of tokens) included. */
  wrkRequests: number;
  /** Answers per second, first request to last answer. */
  requestsPerSec: number;
  saleSeconds: number;
  /** First request to the last 2xx (the last unit sold). */
  sellOutSeconds: number;
  latencyUs: WrkResult['latencyUs'];
  p99Ms: number;
  /** First request to the poll that saw stock_left 0 in PostgreSQL (every unit an order); NaN if never. */
  persistedSeconds: number;
  floodSeconds: number;
  floodPerSec: number;
  floodCodes: Record<string, number>;
  floodLatencyUs: WrkResult['latencyUs'];
  truncated: boolean;
}

/** CLOCK_MONOTONIC in µs, the clock wrk's script stamps its requests with. */
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

/**
 * A run like the peers' table: one item of `selloutUnits` units and `selloutShoppers` distinct shoppers who each
 * post once, through order-api and order-worker started as in production (every 202 still waits for the broker's
 * confirm). wrk with `selloutConnections` connections. Per round: answers per second, sell-out time (first request
 * to the last 2xx), order latency, the time until every unit is an order in PostgreSQL (stock_left polled every
 * 10 ms, from the first request), then a flood of the same shoppers' tokens at the sold-out item.
 */
export class SellOut implements Bench {
  readonly id = 'sell-out' as const;
  readonly label = "sell-out: a run like the peers' table";
  readonly method: string;
  private api?: ApiFixture;
  private worker?: AppProcess;
  private db?: Client;

  constructor(private readonly opts: BenchOptions) {
    this.method =
      `${opts.selloutShoppers} distinct shoppers each posting once for one item of ${opts.selloutUnits} units through order-api and ` +
      `order-worker; wrk, ${opts.threads} thread(s), ${opts.selloutConnections} connections; sell-out time from the first request to the last 2xx, ` +
      `p99 of every order answered during the sale, stock_left in PostgreSQL polled every ${POLL_MS} ms until 0; then a ${opts.selloutFloodSec} s ` +
      `flood of the same shoppers' tokens at the sold-out item`;
  }

  async setup(): Promise<void> {
    const started = performance.now();
    this.api = await ApiFixture.start('bench-sellout', this.opts.selloutShoppers);
    const env = this.api.world.env;
    this.worker = new AppProcess('order-worker', `bench-sellout-worker-${env.id}`, await freePort(), { ...env.vars, LOG_LEVEL: 'info' });
    await this.worker.start(60_000);
    log(`bench-sellout: order-worker pid ${this.worker.pid} (set up in ${((performance.now() - started) / 1000).toFixed(1)} s)`);
    this.db = new Client({ connectionString: env.databaseUrl });
    await this.db.connect();
  }

  private fixture(): { api: ApiFixture; worker: AppProcess; db: Client } {
    if (!this.api || !this.worker || !this.db) throw new Error('sell-out was not set up');
    return { api: this.api, worker: this.worker, db: this.db };
  }

  /** Resolves with the CLOCK_MONOTONIC µs of the first poll that saw stock_left 0 (NaN after `timeoutMs`). */
  private async persisted(itemId: number, timeoutMs: number): Promise<number> {
    const { db } = this.fixture();
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      const res = await db.query<{ stock_left: number }>('SELECT stock_left FROM seckill_goods WHERE id = $1', [itemId]);
      if (res.rows[0]?.stock_left === 0) return monotonicUs();
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    return Number.NaN;
  }

  private async once(shoppers: number, units: number, floodSec: number, label: string): Promise<{ detail: SellOutDetail; cpu: ReturnType<CpuWindow['stop']> }> {
    const { api, worker } = this.fixture();
    const itemId = await seedSale(api.world.env.databaseUrl, { name: `bench ${label}`, stock: units });
    const target = { baseUrl: api.url, tokensFile: api.world.shoppers.tokensFile, itemId };
    const load = { threads: this.opts.threads, connections: this.opts.selloutConnections };
    const persisted = this.persisted(itemId, 120_000);
    const cpu = new CpuWindow({ 'order-api': [api.app.pid ?? 0], 'order-worker': [worker.pid ?? 0], redis: SERVERS.redis, rabbitmq: SERVERS.rabbitmq, postgres: SERVERS.postgres });
    const sale = await runWrk({ ...target, ...load, mode: 'once', requestId: false, maxTokens: shoppers, quietTail: true, durationSec: 120 });
    const usage = cpu.stop();
    const persistedAt = await persisted;
    const flood = floodSec > 0 ? (await runWrk(rotatingFlood({ ...target, maxTokens: shoppers }, load, floodSec))).result : undefined;
    await this.resetAfterRound(itemId);
    const r = sale.result;
    const sold = Object.entries(r.codes).reduce((n, [code, count]) => (code.startsWith('2') ? n + count : n), 0);
    if (sale.truncated || sold !== units) log(`  (${label}: ${sold} of ${units} units sold; answers ${JSON.stringify(r.codes)}${sale.truncated ? ', run cut at its time bound' : ''})`);
    return {
      cpu: usage,
      detail: {
        shoppers,
        units,
        connections: load.connections,
        sold,
        codes: r.codes,
        wrkRequests: r.requests,
        requestsPerSec: ratePerSec(r, 'once'),
        saleSeconds: spanSeconds(r, 'once'),
        sellOutSeconds: secondsToLast2xx(r),
        latencyUs: r.latencyUs,
        p99Ms: r.latencyUs.p99 / 1000,
        persistedSeconds: r.firstUs > 0 ? (persistedAt - r.firstUs) / 1e6 : Number.NaN,
        floodSeconds: floodSec,
        floodPerSec: flood ? ratePerSec(flood, 'rotate') : Number.NaN,
        floodCodes: flood?.codes ?? {},
        floodLatencyUs: flood?.latencyUs ?? { min: 0, mean: 0, p50: 0, p90: 0, p99: 0, max: 0 },
        truncated: sale.truncated,
      },
    };
  }

  /** The round's request records and the worker's outcome and payment-window messages go, as in worker.ts. */
  private async resetAfterRound(itemId: number): Promise<void> {
    const { api } = this.fixture();
    const env = api.world.env;
    await api.resetAfterSale(itemId);
    await purgeQueues(env.amqpUrl, [Queue.NOTIFY_RESULTS, paymentWindowQueue(Number(env.vars.PAYMENT_WINDOW_SECONDS ?? process.env.PAYMENT_WINDOW_SECONDS ?? 900)).name]);
  }

  async warmup(): Promise<void> {
    // a whole sale: order-api and order-worker both go through every path of a round before it is timed
    await this.once(this.opts.selloutShoppers, this.opts.selloutUnits, Math.min(2, this.opts.selloutFloodSec), 'sell-out warm-up');
  }

  async run(round: number): Promise<Sample> {
    const started = performance.now();
    const { detail, cpu } = await this.once(this.opts.selloutShoppers, this.opts.selloutUnits, this.opts.selloutFloodSec, `sell-out round ${round}`);
    log(
      `  sell-out: ${Math.round(detail.requestsPerSec)} answers/s; ${detail.sold} units sold in ${detail.sellOutSeconds.toFixed(3)} s; p99 ${detail.p99Ms.toFixed(1)} ms; ` +
        `all in PostgreSQL after ${detail.persistedSeconds.toFixed(3)} s; sold-out flood ${Math.round(detail.floodPerSec)}/s; cpu ${describeCpu(cpu)}; round ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    return { value: detail.requestsPerSec, cpu, detail: { ...detail, roundSeconds: (performance.now() - started) / 1000 } };
  }

  async teardown(): Promise<void> {
    await this.db?.end().catch(() => undefined);
    await this.worker?.stop().catch((err: unknown) => log(`stopping order-worker: ${String(err)}`));
    await this.api?.stop();
    this.db = this.worker = this.api = undefined;
  }
}
