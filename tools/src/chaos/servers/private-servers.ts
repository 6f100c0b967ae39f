import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, type TestServers } from '@seckill/testing';
import { PrivatePostgres } from './postgres-server';
import { PrivateRabbitMq } from './rabbitmq-server';
import { PrivateRedis } from './redis-server';

/**
 * PostgreSQL, Redis and RabbitMQ of our own, on free ports, with their data in one temp directory, so a chaos
 * run can stop, kill and black-hole them without disturbing the shared servers other people use. `destroy`
 * stops all three and removes the directory; an `exit` hook does the same if the process ends without it.
 */
export class PrivateServers {
  private destroyed = false;
  private readonly onExit = () => this.destroySync();

  private constructor(
    readonly dir: string,
    readonly postgres: PrivatePostgres,
    readonly redis: PrivateRedis,
    readonly rabbitmq: PrivateRabbitMq,
  ) {
    process.once('exit', this.onExit);
  }

  static async start(log: (line: string) => void = () => undefined): Promise<PrivateServers> {
    const [pg, redis, amqp, dist, management] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
    // From here to the constructor (which hooks `exit`) nothing waits: the directory cannot be left behind.
    const dir = mkdtempSync(join(tmpdir(), 'seckill-chaos-'));
    // The postgres and rabbitmq users must reach their subdirectories.
    chmodSync(dir, 0o755);
    const id = randomBytes(3).toString('hex');
    const servers = new PrivateServers(
      dir,
      new PrivatePostgres(join(dir, 'postgres'), pg!),
      new PrivateRedis(join(dir, 'redis'), redis!),
      new PrivateRabbitMq(join(dir, 'rabbitmq'), { amqp: amqp!, dist: dist!, management: management! }, `chaos-${id}@localhost`),
    );
    try {
      servers.rabbitmq.prepare();
      await Promise.all([
        servers.postgres.init().then(() => servers.postgres.start()),
        servers.redis.start(),
        servers.rabbitmq.start(),
      ]);
    } catch (err) {
      await servers.destroy();
      throw err;
    }
    log(`private servers in ${dir}: PostgreSQL :${servers.postgres.port}, Redis :${servers.redis.port}, RabbitMQ ${servers.rabbitmq.node} :${servers.rabbitmq.ports.amqp} (management :${servers.rabbitmq.ports.management})`);
    return servers;
  }

  /** Where environments are created (libs/testing's createTestEnv takes these). */
  get urls(): TestServers {
    return { database: this.postgres.url, redis: this.redis.url, amqp: this.rabbitmq.amqpUrl, management: this.rabbitmq.managementUrl };
  }

  /** Starts whatever a scenario left stopped, so the next one begins with all three up. */
  async ensureUp(): Promise<void> {
    await Promise.all([
      this.postgres.running ? undefined : this.postgres.start(),
      this.redis.running ? undefined : this.redis.start(),
      this.rabbitmq.running ? undefined : this.rabbitmq.start(),
    ]);
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    process.removeListener('exit', this.onExit);
    await Promise.all([this.postgres.destroy(), this.redis.destroy(), this.rabbitmq.destroy()]);
    rmSync(this.dir, { recursive: true, force: true });
  }

  destroySync(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.postgres.destroySync();
    this.redis.destroySync();
    this.rabbitmq.destroySync();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
