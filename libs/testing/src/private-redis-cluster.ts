import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Redis from 'ioredis';
import { freePort } from './app-process';

const run = promisify(execFile);

interface ClusterNodeProcess {
  port: number;
  child: ChildProcess;
}

export interface PrivateRedisClusterOptions {
  /** Masters the slots are spread over (at least 3: redis-cli refuses fewer). */
  masters?: number;
  /** Replicas per master; with 1, killing a master promotes its replica. */
  replicas?: number;
  /** cluster-node-timeout: how long a master may be silent before its replica takes over. */
  nodeTimeoutMs?: number;
}

/**
 * A Redis Cluster of a test's own on loopback (never the shared Redis): `masters` × (1 + `replicas`) redis-servers
 * with nothing kept on disk, joined by `redis-cli --cluster create`. Ports are free ones, the cluster bus of each
 * on a port of its own (`cluster-port`), so nothing assumes port + 10000 is free.
 */
export class PrivateRedisCluster {
  private constructor(
    private readonly dir: string,
    readonly nodes: ClusterNodeProcess[],
  ) {}

  static async start(opts: PrivateRedisClusterOptions = {}): Promise<PrivateRedisCluster> {
    const masters = opts.masters ?? 3;
    const replicas = opts.replicas ?? 0;
    const dir = await mkdtemp(join(tmpdir(), 'seckill-redis-cluster-'));
    const cluster = new PrivateRedisCluster(dir, []);
    try {
      for (let i = 0; i < masters * (1 + replicas); i++) {
        const [port, busPort] = [await freePort(), await freePort()];
        const child = spawn(
          'redis-server',
          [
            '--port', String(port), '--cluster-port', String(busPort), '--bind', '127.0.0.1',
            '--cluster-enabled', 'yes', '--cluster-config-file', join(dir, `nodes-${port}.conf`),
            '--cluster-node-timeout', String(opts.nodeTimeoutMs ?? 2000), '--dir', dir, '--dbfilename', `dump-${port}.rdb`,
            '--save', '', '--appendonly', 'no',
            // A replica that never finished its first sync refuses to take over: sync at once, not after 5 s.
            '--repl-diskless-sync-delay', '0',
          ],
          { stdio: 'ignore' },
        );
        cluster.nodes.push({ port, child });
      }
      await Promise.all(cluster.nodes.map((n) => cluster.untilAnswering(n.port)));
      const addresses = cluster.nodes.map((n) => `127.0.0.1:${n.port}`);
      await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', String(replicas), '--cluster-yes'], { timeout: 60_000 });
      await cluster.untilHealthy();
      return cluster;
    } catch (err) {
      await cluster.stop();
      throw err;
    }
  }

  /** REDIS_CLUSTER_NODES for the product: every node as a seed. */
  get seedNodes(): string {
    return this.nodes.map((n) => `127.0.0.1:${n.port}`).join(',');
  }

  /** REDIS_URL to pair with the seed nodes (it only carries credentials; these nodes have none). */
  get url(): string {
    return `redis://127.0.0.1:${this.nodes[0]!.port}`;
  }

  /** The port of the master serving `key`'s slot now. */
  async masterOf(key: string): Promise<number> {
    return this.withNode(this.live()[0]!.port, async (r) => {
      const slot = Number(await r.cluster('KEYSLOT', key));
      const slots = await r.cluster('SLOTS');
      const range = slots.find(([from, to]) => slot >= from && slot <= to);
      const master = range?.[2];
      if (!master) throw new Error(`no master serves slot ${slot}`);
      return master[1];
    });
  }

  /** Resolves once another node than `oldMaster` serves `key`'s slot (its replica was promoted) and all is healthy. */
  async untilFailedOver(key: string, oldMaster: number, timeoutMs = 30_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const now = await this.masterOf(key).catch(() => oldMaster);
      if (now !== oldMaster) {
        await this.untilHealthy(Math.max(1000, deadline - Date.now()));
        return now;
      }
      if (Date.now() > deadline) throw new Error(`no replica took over ${key}'s slot from ${oldMaster} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** SIGKILLs the node on `port` (a crash: what it held and had not replicated is gone). */
  async kill(port: number): Promise<void> {
    const node = this.nodes.find((n) => n.port === port);
    if (!node || node.child.exitCode !== null || node.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => node.child.once('exit', () => resolve()));
    node.child.kill('SIGKILL');
    await exited;
  }

  /**
   * Resolves once every live node reports cluster_state:ok with every slot served, and every live replica is in
   * sync with its master (a replica still syncing could not take over).
   */
  async untilHealthy(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const states = await Promise.all(
        this.live().map((n) => this.withNode(n.port, async (r) => `${String(await r.cluster('INFO'))}\n${await r.info('replication')}`).catch(() => '')),
      );
      const ok = (s: string) => /cluster_state:ok/.test(s) && /cluster_slots_ok:16384/.test(s) && (/role:master/.test(s) || /master_link_status:up/.test(s));
      if (states.every(ok)) return;
      if (Date.now() > deadline) throw new Error(`Redis Cluster not healthy within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => this.kill(n.port)));
    await rm(this.dir, { recursive: true, force: true });
  }

  private live(): ClusterNodeProcess[] {
    return this.nodes.filter((n) => n.child.exitCode === null && n.child.signalCode === null);
  }

  private async untilAnswering(port: number): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (await this.withNode(port, (r) => r.ping()).then(() => true, () => false)) return;
      if (Date.now() > deadline) throw new Error(`redis-server on ${port} did not answer within 10 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private async withNode<T>(port: number, fn: (r: Redis) => Promise<T>): Promise<T> {
    const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000 });
    r.on('error', () => undefined);
    try {
      await r.connect();
      return await fn(r);
    } finally {
      r.disconnect();
    }
  }
}
