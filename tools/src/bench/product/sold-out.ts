import { seedSale } from '@seckill/testing';
import type { Bench } from '../bench';
import type { Sample } from '../measurement';
import type { BenchOptions } from '../options';
import { rotatingFlood, runWrk, type WrkRunOptions } from '../wrk';
import type { ApiFixture } from './api-fixture';
import { floodSample } from './flood-sample';

/**
 * Sold-out rejections through the whole order-api stack: an item whose stock is 0, so after the first request
 * (Redis answers SOLD_OUT) every request ends at the local sold-out flag — routing, JSON parsing, validation,
 * token verification, rate limiter, sale window, flag, error mapping — with distinct shoppers' valid tokens.
 */
export class SoldOutFlood implements Bench {
  readonly id = 'sold-out' as const;
  readonly label = 'sold-out rejections through order-api';
  readonly method: string;
  private itemId = 0;

  constructor(
    private readonly opts: BenchOptions,
    private readonly api: () => ApiFixture,
  ) {
    this.method = `wrk, ${opts.threads} thread(s), ${opts.connections} connections, ${opts.durationSec} s per round, tokens of ${opts.units} distinct shoppers round-robin, an item with stock 0`;
  }

  async setup(): Promise<void> {
    this.itemId = await seedSale(this.api().world.env.databaseUrl, { name: 'bench sold out', stock: 0 });
  }

  wrkOptions(durationSec: number): WrkRunOptions {
    const api = this.api();
    return rotatingFlood({ baseUrl: api.url, tokensFile: api.world.shoppers.tokensFile, itemId: this.itemId }, this.opts, durationSec);
  }

  async warmup(): Promise<void> {
    await runWrk(this.wrkOptions(2));
  }

  run(): Promise<Sample> {
    return floodSample(this.api(), this.wrkOptions(this.opts.durationSec), 409, 'sold-out through order-api');
  }

  async teardown(): Promise<void> {
    // the fixture is stopped by the runner
  }
}
