import { seedSale } from '@seckill/testing';
import type { Bench } from '../bench';
import { CpuWindow, describeCpu, rssKiB, SERVERS } from '../cpu';
import { log, type Sample } from '../measurement';
import type { BenchOptions } from '../options';
import { ratePerSec, runWrk, spanSeconds, type WrkRunOptions } from '../wrk';
import type { ApiFixture } from './api-fixture';

/**
 * Accepted orders through order-api: a fresh sale of `units` units per round and as many distinct shoppers,
 * each posting once (wrk `once` mode), so every request takes the whole path — Lua reservation, confirmed
 * persistent publish to the quorum queue, 202. Timed from the first request to the last answer.
 * With `requestId`, every order carries a fresh client-chosen UUID, as the shop page sends it.
 */
export class AcceptedOrders implements Bench {
  readonly id: 'accepted' | 'accepted-request-id';
  readonly label: string;
  readonly method: string;

  constructor(
    private readonly opts: BenchOptions,
    private readonly api: () => ApiFixture,
    private readonly requestId: boolean,
  ) {
    this.id = requestId ? 'accepted-request-id' : 'accepted';
    this.label = requestId ? 'accepted orders with requestId (as the shop page posts)' : 'accepted orders through order-api';
    this.method = `a sale of ${opts.units} units per round, ${opts.units} distinct shoppers posting once each${requestId ? ' with a fresh requestId' : ''}; wrk, ${opts.threads} thread(s), ${opts.connections} connections; first request to last 202`;
  }

  async setup(): Promise<void> {}

  private async once(units: number, label: string): Promise<Sample> {
    const api = this.api();
    const itemId = await seedSale(api.world.env.databaseUrl, { name: `bench ${label}`, stock: units });
    const wrk: WrkRunOptions = {
      baseUrl: api.url,
      tokensFile: api.world.shoppers.tokensFile,
      maxTokens: units,
      itemId,
      mode: 'once',
      requestId: this.requestId,
      threads: this.opts.threads,
      connections: this.opts.connections,
      durationSec: 300,
    };
    const cpu = new CpuWindow({ 'order-api': [api.app.pid!], redis: SERVERS.redis, rabbitmq: SERVERS.rabbitmq, postgres: SERVERS.postgres });
    const { result, truncated } = await runWrk(wrk);
    const usage = cpu.stop();
    const purged = await api.resetAfterSale(itemId);
    const accepted = result.codes['202'] ?? 0;
    if (truncated || accepted !== units) log(`  (${label}: ${accepted} of ${units} accepted; answers ${JSON.stringify(result.codes)}${truncated ? ', run cut at its time bound' : ''})`);
    return {
      value: ratePerSec(result, 'once', [202]),
      cpu: usage,
      detail: { units, accepted, seconds: spanSeconds(result, 'once'), codes: result.codes, latencyUs: result.latencyUs, errors: result.errors, purged, truncated, orderApiRssMiB: rssKiB(api.app.pid!) / 1024 },
    };
  }

  async warmup(): Promise<void> {
    await this.once(Math.min(5_000, this.opts.units), `${this.id} warm-up`);
  }

  async run(round: number): Promise<Sample> {
    const sample = await this.once(this.opts.units, `${this.id} round ${round}`);
    log(`  ${this.label}: ${Math.round(sample.value)}/s (order-api RSS ${(sample.detail!.orderApiRssMiB as number).toFixed(0)} MiB); cpu ${describeCpu(sample.cpu!)}`);
    return sample;
  }

  async teardown(): Promise<void> {}
}
