import Redis from 'ioredis';
import type { Bench } from '../bench';
import { CpuWindow, waitForQuiet } from '../cpu';
import { deleteKeys, purgePending, seedItems } from '../fixtures';
import { log, type Sample } from '../measurement';
import type { BenchOptions } from '../options';
import { ratePerSec, rotatingFlood, runWrk, secondsToLast2xx } from '../wrk';
import { ApiFixture } from './api-fixture';
import { bestOfPasses, scalingRows, spreadUnits, type ScalingResult, type ScalingRow } from './scaling-plan';

/** The first touch of every sold-out item (before the flood) ends here even if not every item was asked. */
const FIRST_TOUCH_BOUND_SEC = 30;

/** A row's sale ends here even if not sold out (a busy machine, or many items each loaded on its first order). */
const SALE_BOUND_SEC = 60;

/**
 * Cost as work grows (informational, no target; one round). Every row: `items` sale items live at once and
 * `shoppers` distinct shoppers, with the orders spread over all the items (not one hot item among idle ones):
 *   1. a sold-out flood of `scalingWindowSec` s: the shoppers' tokens round-robin, request k for item k mod items,
 *      every item with stock 0. Before it, untimed for the flood, one request per item (its first touch: order-api
 *      loads the item's window and stock and sets its flag), so the flood shows the steady state, not the loading;
 *   2. a sale of min(scalingUnits, shoppers) units spread evenly over fresh items, each of that many shoppers
 *      posting once (shopper j for item j mod items): 202s per second and first request to last 202.
 * The item rows use as many shoppers as the sale has units; the shopper rows one item.
 */
export class Scaling implements Bench {
  readonly id = 'scaling' as const;
  readonly label = 'cost as work grows: live items and shoppers';
  readonly firstRoundOnly = true;
  readonly method: string;
  private api?: ApiFixture;
  private readonly rows: ScalingRow[];

  constructor(private readonly opts: BenchOptions) {
    this.rows = scalingRows(opts.scalingItems, opts.scalingShoppers, opts.scalingUnits);
    this.method =
      `one round; per row (live items × distinct shoppers): one request per item of stock 0 (its first touch), then a ${opts.scalingWindowSec} s wrk sold-out flood (${opts.threads} thread(s), ${opts.connections} connections) ` +
      `spread round-robin over that many items of stock 0, then a sale of min(${opts.scalingUnits}, shoppers) units spread over that many fresh items, ` +
      `each shopper posting once; the item rows with ${opts.scalingUnits} shoppers, the shopper rows with one item` +
      (opts.scalingPasses > 1 ? `; ${opts.scalingPasses} passes over the rows, each figure the best` : '');
  }

  async setup(): Promise<void> {
    const shoppers = Math.max(...this.rows.map((r) => r.shoppers));
    const started = performance.now();
    this.api = await ApiFixture.start('bench-scaling', shoppers);
    log(`bench-scaling: set up in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }

  private fixture(): ApiFixture {
    if (!this.api) throw new Error('scaling was not set up');
    return this.api;
  }

  private async row(row: ScalingRow): Promise<ScalingResult> {
    const api = this.fixture();
    const { databaseUrl } = api.world.env;
    const pid = api.app.pid ?? 0;
    const load = { threads: this.opts.threads, connections: this.opts.connections };
    const target = { baseUrl: api.url, tokensFile: api.world.shoppers.tokensFile, maxTokens: row.shoppers, itemCount: row.items };

    const soldOutFirst = await seedItems(databaseUrl, `bench scaling sold out ${row.items}`, new Array<number>(row.items).fill(0));
    // any shoppers will do to touch every item once (shopper j for item j), also in a row with fewer shoppers than items
    const touch = (
      await runWrk({ ...target, itemId: soldOutFirst, maxTokens: Math.min(row.items, api.world.shoppers.users.length), mode: 'once', requestId: false, quietTail: true, durationSec: FIRST_TOUCH_BOUND_SEC, ...load })
    ).result;
    let cpu = new CpuWindow({ 'order-api': [pid] });
    const flood = (await runWrk(rotatingFlood({ ...target, itemId: soldOutFirst }, load, this.opts.scalingWindowSec))).result;
    const floodCpu = cpu.stop();

    const saleFirst = await seedItems(databaseUrl, `bench scaling sale ${row.items}`, spreadUnits(row.units, row.items));
    cpu = new CpuWindow({ 'order-api': [pid] });
    const sale = await runWrk({ ...target, itemId: saleFirst, maxTokens: row.units, mode: 'once', requestId: false, quietTail: true, durationSec: SALE_BOUND_SEC, ...load });
    const saleCpu = cpu.stop();
    await this.reset();

    const r = sale.result;
    const sold = r.codes['202'] ?? 0;
    if (sale.truncated || sold !== row.units) log(`  (scaling ${row.items} items: ${sold} of ${row.units} units sold; answers ${JSON.stringify(r.codes)})`);
    return {
      ...row,
      firstTouchPerSec: ratePerSec(touch, 'once'),
      firstTouchItems: touch.answered,
      soldOutPerSec: ratePerSec(flood, 'rotate', [409]),
      soldOutCodes: flood.codes,
      soldOutP99Ms: flood.latencyUs.p99 / 1000,
      acceptedPerSec: Number.isFinite(secondsToLast2xx(r)) && secondsToLast2xx(r) > 0 ? sold / secondsToLast2xx(r) : Number.NaN,
      sellOutSeconds: sold === row.units ? secondsToLast2xx(r) : Number.NaN,
      sold,
      saleCodes: r.codes,
      saleP99Ms: r.latencyUs.p99 / 1000,
      orderApiCoresFlood: floodCpu.cores['order-api'] ?? 0,
      orderApiCoresSale: saleCpu.cores['order-api'] ?? 0,
    };
  }

  /** The accepted orders wait in the pending queue (no worker here) and their records and the items' state in Redis: removed. */
  private async reset(): Promise<void> {
    const env = this.fixture().world.env;
    await purgePending(env.amqpUrl);
    const redis = new Redis(env.redisUrl);
    try {
      await deleteKeys(redis, `${env.redisKeyPrefix}reqitem:*`);
      await deleteKeys(redis, `${env.redisKeyPrefix}{good:*`);
    } finally {
      redis.disconnect();
    }
  }

  /** The base row in full: a shorter warm-up left order-api's rate per core still climbing over the first rows. */
  async warmup(): Promise<void> {
    const base = this.rows[0];
    if (base) await this.row(base);
  }

  async run(): Promise<Sample> {
    const begun = performance.now();
    const passes: ScalingResult[][] = [];
    for (let pass = 1; pass <= this.opts.scalingPasses; pass++) passes.push(await this.pass());
    const rows = bestOfPasses(passes);
    const seconds = (performance.now() - begun) / 1000;
    log(`  scaling: ${rows.length} rows × ${passes.length} pass(es) in ${seconds.toFixed(1)} s`);
    // the figure kept in the summary: the base row's sold-out rejections (the table reads the rows)
    return { value: rows[0]?.soldOutPerSec ?? Number.NaN, detail: { rows, passes, seconds } };
  }

  private async pass(): Promise<ScalingResult[]> {
    const results: ScalingResult[] = [];
    for (const row of this.rows) {
      // the runner waits before a measurement; the rows of this one are as exposed to a neighbour as measurements are
      if (this.opts.waitQuietSec > 0) await waitForQuiet(this.opts.waitQuietSec);
      const started = performance.now();
      const result = await this.row(row);
      results.push(result);
      log(
        `  scaling ${row.items} items × ${row.shoppers} shoppers: sold-out ${Math.round(result.soldOutPerSec)}/s, ` +
          `accepted ${Math.round(result.acceptedPerSec)}/s, ${result.sold} units in ${result.sellOutSeconds.toFixed(3)} s (${((performance.now() - started) / 1000).toFixed(1)} s)`,
      );
    }
    return results;
  }

  async teardown(): Promise<void> {
    await this.api?.stop();
    this.api = undefined;
  }
}
