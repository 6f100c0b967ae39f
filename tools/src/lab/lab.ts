import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '@seckill/testing';
import { run } from './exec';
import { AppHost } from './hosts/apps';
import { PostgresHost } from './hosts/postgres';
import { RabbitCluster, RabbitNode } from './hosts/rabbitmq';
import { RedisCluster, RedisNode } from './hosts/redis';
import { BRIDGE, GATEWAY, HOSTS, hostsOf, PREFIX, SUBNET, type Host } from './layout';
import { LabNetwork, removeLab } from './netns';

export interface LabIo {
  log(line: string): void;
  signal: AbortSignal;
  /** Where every host's log goes (kept after the lab is gone). */
  logDir: string;
}

/** How the product is configured in the lab: the same variables an operator would set (../shared/contract.md). */
export interface LabSettings {
  databaseUrl: string;
  /** Credentials and TLS of every cluster node (none in the lab); the nodes themselves are REDIS_CLUSTER_NODES. */
  redisUrl: string;
  redisClusterNodes: string;
  redisKeyPrefix: string;
  rabbitmqUrls: string;
  managementUrls: string;
  jwtSecret: string;
  admin: { username: string; password: string };
}

/**
 * The whole lab: the network, the servers and two of each product process, each on its own host. `up` builds it
 * in dependency order; `down` takes it apart and is safe to call at any point of `up` (and twice).
 */
export class Lab {
  readonly network = new LabNetwork();
  readonly dir: string;
  readonly rabbit: RabbitCluster;
  readonly redis: RedisCluster;
  readonly postgres: PostgresHost;
  readonly settings: LabSettings;
  apps: AppHost[] = [];
  private isDown = false;

  constructor(private readonly io: LabIo) {
    this.dir = mkdtempSync(join(tmpdir(), `${PREFIX}-`));
    // The postgres user must reach its directory below this one.
    chmodSync(this.dir, 0o755);
    mkdirSync(io.logDir, { recursive: true });
    const cookie = randomBytes(20).toString('hex').toUpperCase();
    this.rabbit = new RabbitCluster(hostsOf('rabbitmq').map((h) => new RabbitNode(h, join(this.dir, h.name), io.logDir, cookie)));
    this.redis = new RedisCluster(hostsOf('redis').map((h) => new RedisNode(h, join(this.dir, h.name), io.logDir)));
    this.postgres = new PostgresHost(hostsOf('postgres')[0]!, join(this.dir, 'pg'), io.logDir);
    this.settings = {
      databaseUrl: this.postgres.url('seckill'),
      redisUrl: `redis://${this.redis.endpoints[0]}`,
      redisClusterNodes: this.redis.endpoints.join(','),
      redisKeyPrefix: 'seckill:',
      rabbitmqUrls: this.rabbit.amqpUrls.join(','),
      managementUrls: this.rabbit.managementUrls.join(','),
      jwtSecret: randomBytes(32).toString('hex'),
      admin: { username: 'lab-admin', password: randomBytes(12).toString('hex') },
    };
  }

  /** The product's environment, shared by every app and tool the lab runs. */
  appEnv(): Record<string, string> {
    const s = this.settings;
    return {
      DATABASE_URL: s.databaseUrl,
      REDIS_URL: s.redisUrl,
      REDIS_CLUSTER_NODES: s.redisClusterNodes,
      REDIS_KEY_PREFIX: s.redisKeyPrefix,
      RABBITMQ_URL: s.rabbitmqUrls,
      RABBITMQ_MANAGEMENT_URL: s.managementUrls,
      JWT_SECRET: s.jwtSecret,
      ADMIN_USERNAME: s.admin.username,
      ADMIN_PASSWORD: s.admin.password,
      // 2,000 shoppers share the load generator's one address.
      RATE_LIMITS: 'off',
      LOG_LEVEL: process.env.LAB_APP_LOG_LEVEL ?? 'info',
      // Redis re-checked against PostgreSQL every 5 s (30 s by default), so "Redis = PostgreSQL once quiet" is
      // judged within a scenario rather than after it.
      RECONCILE_INTERVAL_MS: '5000',
      // Every shopper's socket opens before the sale and may wait longer than the default 60 s for its order.
      NOTIFIER_UNOWNED_WAIT_MS: String(3_600_000),
    };
  }

  async up(): Promise<void> {
    const { log, signal } = this.io;
    log(`network: bridge ${BRIDGE} (${SUBNET}, this namespace ${GATEWAY}), ${HOSTS.length} hosts`);
    await this.network.createBridge();
    for (const h of HOSTS) await this.network.addHost(h);
    log('servers: PostgreSQL, 6 Redis nodes and 3 RabbitMQ nodes starting…');
    await Promise.all([
      this.postgres.start(signal).then(() => log(`postgres: up on ${this.postgres.host.address}`)),
      this.redis.start(log, signal).then(() => log(`redis: cluster ok (${this.redis.endpoints.join(', ')})`)),
      this.rabbit.start(log, signal).then(() => log(`rabbitmq: cluster of ${this.rabbit.nodes.map((n) => n.node).join(', ')}`)),
    ]);
    log('postgres: migrating the database');
    await run(process.execPath, [join(REPO_ROOT, 'dist/tools/src/migrate.js')], { env: this.appEnv(), timeoutMs: 120_000 });
    const env = this.appEnv();
    const of = (kind: Host['kind']) => hostsOf(kind).map((h) => new AppHost(h, env, this.io.logDir));
    this.apps = [...of('order-worker'), ...of('order-api'), ...of('websocket-notifier')];
    await this.startApps();
    await this.rabbit.waitReplicated(60_000, signal);
    log('rabbitmq: every quorum queue has its 3 members online');
  }

  /**
   * Workers first: they declare the queues the others publish to (any process declares them, but the order keeps
   * the first start's logs readable).
   */
  private async startApps(): Promise<void> {
    const workers = this.appsOf('order-worker');
    for (const group of [workers, this.apps.filter((a) => !workers.includes(a))]) {
      this.io.log(`apps: starting ${group.map((a) => a.host.name).join(', ')}`);
      await Promise.all(group.map((a) => a.start(90_000, this.io.signal)));
    }
  }

  /**
   * After a scenario that failed, the next one must still begin on a whole lab: servers that are stuck or down are
   * restarted (a RabbitMQ node that does not answer for itself, a Redis node that is not running), then every
   * product process is stopped (SIGTERM) and started again, since a failed scenario may leave one in a state
   * nobody knows. Returns what it did, for the results.
   */
  async repair(): Promise<string[]> {
    const { signal } = this.io;
    const done: string[] = [];
    try {
      await this.rabbit.waitWhole(10_000, signal);
    } catch {
      const restarted = await this.rabbit.restartUnanswering(signal);
      if (restarted.length) done.push(`RabbitMQ node(s) ${restarted.join(', ')} restarted`);
      await this.rabbit.waitWhole(120_000, signal);
    }
    try {
      await this.redis.waitHealthy(10_000, signal);
    } catch {
      const stopped = this.redis.nodes.filter((n) => !n.running);
      for (const n of stopped) await n.start(signal);
      if (stopped.length) done.push(`Redis node(s) ${stopped.map((n) => n.host.name).join(', ')} started`);
      await this.redis.waitHealthy(60_000, signal);
    }
    await Promise.all(this.apps.map((a) => a.stop()));
    await this.startApps();
    await this.rabbit.waitReplicated(120_000, signal);
    done.push('every app restarted');
    return done;
  }

  appsOf(kind: Host['kind']): AppHost[] {
    return this.apps.filter((a) => a.host.kind === kind);
  }

  app(name: string): AppHost {
    const a = this.apps.find((x) => x.host.name === name);
    if (!a) throw new Error(`no app host ${name}`);
    return a;
  }

  /** Every app ready again (after a fault): /health/ready 200 on each. */
  async waitAllReady(timeoutMs: number): Promise<void> {
    await Promise.all(this.apps.map((a) => a.waitReady(timeoutMs, this.io.signal)));
  }

  /** Apps that exited without being asked to. */
  deaths(): string[] {
    return this.apps.filter((a) => a.died).map((a) => `${a.host.name} (${a.died})`);
  }

  /**
   * Apps first (SIGTERM: they drain), then the servers, then everything else in the namespaces and the
   * namespaces themselves, the bridge, the /etc/netns entries and the temp directory.
   */
  async down(): Promise<void> {
    if (this.isDown) return;
    this.isDown = true;
    await Promise.all(this.apps.map((a) => a.stop().catch(() => undefined)));
    await Promise.all([this.redis.destroy(), this.rabbit.destroy(), this.postgres.destroy()].map((p) => p.catch(() => undefined)));
    removeLab();
  }

  /** At exit, when nothing asynchronous runs any more: kill and remove, blocking. */
  downSync(): void {
    if (this.isDown) return;
    this.isDown = true;
    // The apps live in the namespaces too: removeLab kills whatever runs there.
    removeLab();
  }
}
