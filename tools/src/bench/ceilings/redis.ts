import { randomUUID } from 'node:crypto';
import { createRedisClient, type RedisClient } from '@seckill/redis';
import { StockKeys, StockService } from '@seckill/stock';
import type { Bench } from '../bench';
import { CpuWindow, describeCpu, SERVERS } from '../cpu';
import { deleteKeys, type World } from '../fixtures';
import { flood, log, type Sample } from '../measurement';
import type { BenchOptions } from '../options';

/**
 * Ceiling 2: the real reserve-stock.lua through StockService, from one Node client with ioredis
 * auto-pipelining (the client order-api uses), `concurrency` calls in flight, every call a distinct shopper
 * reserving a unit (the script's full write path: DECR, HSET buyer, HSET request, EXPIRE).
 */
export class RedisCeiling implements Bench {
  readonly id = 'redis' as const;
  readonly label = 'Redis Lua reservation alone';
  readonly method: string;
  private redis?: RedisClient;

  constructor(
    private readonly opts: BenchOptions,
    private readonly world: () => World,
  ) {
    this.method = `StockService.reserve (reserve-stock.lua) from one auto-pipelined ioredis client, ${opts.concurrency} calls in flight, distinct shoppers, every call reserves`;
  }

  async setup(): Promise<void> {
    this.redis = createRedisClient(this.world().env.redisUrl, 'bench-redis-ceiling');
    await this.redis.ping();
  }

  private async once(tag: string, durationMs: number): Promise<Sample> {
    const prefix = `${this.world().env.redisKeyPrefix}redis-ceiling-${tag}:`;
    const stock = new StockService(this.redis!, new StockKeys(prefix));
    await stock.load(1, 1_000_000_000, []);
    const cpu = new CpuWindow({ redis: SERVERS.redis });
    const { count, seconds } = await flood(this.opts.concurrency, durationMs, async (i) => {
      const out = await stock.reserve(1, i + 1, randomUUID());
      if (out.kind !== 'RESERVED') throw new Error(`reserve answered ${out.kind}`);
    });
    const usage = cpu.stop();
    await deleteKeys(this.redis!, `${prefix}*`);
    return { value: count / seconds, cpu: usage, detail: { reservations: count, seconds } };
  }

  async warmup(): Promise<void> {
    await this.once('warmup', 1000);
  }

  async run(round: number): Promise<Sample> {
    const sample = await this.once(`r${round}`, this.opts.durationSec * 1000);
    log(`  Redis Lua reserve: ${Math.round(sample.value)}/s; cpu ${describeCpu(sample.cpu!)}`);
    return sample;
  }

  async teardown(): Promise<void> {
    await this.redis?.quit().catch(() => undefined);
  }
}
