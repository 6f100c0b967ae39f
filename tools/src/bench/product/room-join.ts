import { seedSale } from '@seckill/testing';
import type { Bench } from '../bench';
import type { Sample } from '../measurement';
import type { BenchOptions } from '../options';
import { rotatingFlood, runWrk, type WrkRunOptions } from '../wrk';
import type { ApiFixture } from './api-fixture';
import { floodSample } from './flood-sample';

/**
 * Waiting-room joins through the whole order-api stack: every shopper of a drop joins the room once, and the page
 * asks again on a reload, so a drop's first seconds are a flood of these. Distinct shoppers' tokens round-robin
 * on an item whose room admits one shopper a second: each request is the bearer guard, the sale cache and one
 * room-ticket.lua call (a shopper already in line keeps the place, which costs the same script).
 */
export class RoomJoinFlood implements Bench {
  readonly id = 'room-join' as const;
  readonly label = 'waiting-room joins through order-api';
  readonly method: string;
  private itemId = 0;

  constructor(
    private readonly opts: BenchOptions,
    private readonly api: () => ApiFixture,
  ) {
    this.method = `wrk, ${opts.threads} thread(s), ${opts.connections} connections, ${opts.durationSec} s per round, tokens of ${opts.units} distinct shoppers round-robin, POST /api/seckill/goods/{id}/room of an item with a room at 1/s`;
  }

  async setup(): Promise<void> {
    this.itemId = await seedSale(this.api().world.env.databaseUrl, { name: 'bench room', stock: 1_000_000, room: { admitPerSecond: 1, preQueueSeconds: 0 } });
  }

  wrkOptions(durationSec: number): WrkRunOptions {
    const api = this.api();
    return { ...rotatingFlood({ baseUrl: api.url, tokensFile: api.world.shoppers.tokensFile, itemId: this.itemId }, this.opts, durationSec), path: `/api/seckill/goods/${this.itemId}/room` };
  }

  async warmup(): Promise<void> {
    await runWrk(this.wrkOptions(2));
  }

  run(): Promise<Sample> {
    return floodSample(this.api(), this.wrkOptions(this.opts.durationSec), 200, 'room joins through order-api');
  }

  async teardown(): Promise<void> {
    // the fixture is stopped by the runner
  }
}
