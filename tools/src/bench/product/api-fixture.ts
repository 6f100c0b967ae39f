import Redis from 'ioredis';
import { AppProcess, freePort } from '@seckill/testing';
import { createWorld, deleteKeys, purgePending, type World } from '../fixtures';
import { log } from '../measurement';

/**
 * order-api started as a process, as in production (LOG_LEVEL=info), in an environment of its own with
 * seeded shoppers. The sold-out and accepted-orders measurements share one; the profiling run has its own.
 */
export class ApiFixture {
  private constructor(
    readonly world: World,
    readonly app: AppProcess,
  ) {}

  static async start(name: string, shoppers: number, nodeArgs: readonly string[] = [], vars: Record<string, string> = {}): Promise<ApiFixture> {
    const world = await createWorld(name, shoppers);
    const app = new AppProcess('order-api', `${name}-order-api-${world.env.id}`, await freePort(), { ...world.env.vars, LOG_LEVEL: 'info', ...vars }, nodeArgs);
    try {
      await app.start(60_000);
    } catch (err) {
      await app.stop().catch(() => undefined);
      await world.dispose();
      throw err;
    }
    log(`${name}: order-api pid ${app.pid} on ${app.url}`);
    return new ApiFixture(world, app);
  }

  get url(): string {
    return this.app.url;
  }

  /**
   * Orders accepted in one round wait in the pending queue (no worker runs here) and their request records
   * stay in Redis: both are removed between rounds, so every round starts from the same state.
   */
  async resetAfterSale(itemId: number): Promise<number> {
    const purged = await purgePending(this.world.env.amqpUrl);
    const redis = new Redis(this.world.env.redisUrl);
    try {
      const prefix = this.world.env.redisKeyPrefix;
      await deleteKeys(redis, `${prefix}reqitem:*`);
      await deleteKeys(redis, `${prefix}{good:${itemId}}:*`);
    } finally {
      redis.disconnect();
    }
    return purged;
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    try {
      await this.app.stop(signal);
    } finally {
      await this.world.dispose();
    }
  }
}
