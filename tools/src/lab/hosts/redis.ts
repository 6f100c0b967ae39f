import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { NsProcess, run, waitFor } from '../exec';
import { namespaceOf, PORTS, type Host } from '../layout';
import { clusterProblem, isMaster, masterOfSlot, parseClusterNodes, parseInfo, type ClusterNode } from '../redis-cluster-nodes';

/** Node timeout of the lab's cluster: a replica takes over about this long after its master stopped answering. */
export const CLUSTER_NODE_TIMEOUT_MS = 2_000;

/** redis-cli against one node from the root namespace (the bridge reaches every host). */
export function redisCli(address: string, args: readonly string[], timeoutMs = 10_000): Promise<string> {
  return run('redis-cli', ['-h', address, '-p', String(PORTS.redis), ...args], { timeoutMs }).then((out) => {
    // redis-cli exits 0 on a server error reply; it prints it instead.
    if (/^(ERR|CLUSTERDOWN|MOVED|Could not connect)/m.test(out)) throw new Error(`redis-cli ${args.join(' ')} on ${address}: ${out.trim()}`);
    return out;
  });
}

/**
 * One cluster node. No persistence (`save ''`, no AOF): a node killed and started again comes back empty and
 * takes its data from its master, the usual setup when replicas carry the durability. Its nodes.conf (the
 * cluster's view: its id, its peers, the epochs) stays in its directory, so it rejoins as the same node.
 */
export class RedisNode {
  private proc?: NsProcess;

  constructor(
    readonly host: Host,
    private readonly dir: string,
    private readonly logDir: string,
  ) {}

  get endpoint(): string {
    return `${this.host.address}:${PORTS.redis}`;
  }

  get running(): boolean {
    return this.proc?.running ?? false;
  }

  async start(signal?: AbortSignal): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    const a = this.host.address;
    this.proc = NsProcess.spawn(
      this.host.name,
      namespaceOf(this.host),
      'redis-server',
      [
        '--bind', a, '127.0.0.1',
        '--port', String(PORTS.redis),
        '--protected-mode', 'no',
        '--cluster-enabled', 'yes',
        '--cluster-config-file', join(this.dir, 'nodes.conf'),
        '--cluster-node-timeout', String(CLUSTER_NODE_TIMEOUT_MS),
        '--cluster-announce-ip', a,
        '--save', '',
        '--appendonly', 'no',
        '--dir', this.dir,
      ],
      { logFile: join(this.logDir, `${this.host.name}.log`) },
    );
    const proc = this.proc;
    await waitFor(
      `redis on ${this.host.name} answering`,
      20_000,
      async () => {
        if (!proc.running) throw new Error(`redis-server on ${this.host.name} exited (${proc.ending}); see ${proc.logFile}`);
        return (await this.cli(['ping'])).trim() === 'PONG';
      },
      { everyMs: 100, ...(signal ? { signal } : {}) },
    );
  }

  async kill(): Promise<void> {
    await this.proc?.stop('SIGKILL');
  }

  cli(args: readonly string[]): Promise<string> {
    return redisCli(this.host.address, args);
  }

  async view(): Promise<{ info: Record<string, string>; nodes: ClusterNode[] }> {
    const [info, nodes] = await Promise.all([this.cli(['cluster', 'info']), this.cli(['cluster', 'nodes'])]);
    return { info: parseInfo(info), nodes: parseClusterNodes(nodes) };
  }
}

/** Three masters with a replica each, made by `redis-cli --cluster create`. */
export class RedisCluster {
  constructor(readonly nodes: readonly RedisNode[]) {}

  get endpoints(): string[] {
    return this.nodes.map((n) => n.endpoint);
  }

  async start(log: (line: string) => void, signal?: AbortSignal): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.start(signal)));
    log(`redis: creating the cluster over ${this.endpoints.join(' ')}`);
    await run('redis-cli', ['--cluster', 'create', ...this.endpoints, '--cluster-replicas', '1', '--cluster-yes'], { timeoutMs: 60_000 });
    await this.waitHealthy(60_000, signal);
  }

  /** Every running node sees a healthy cluster (see clusterProblem). */
  async waitHealthy(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    await waitFor(
      'the Redis Cluster ok on every node',
      timeoutMs,
      async () => {
        for (const n of this.nodes) {
          const v = await n.view();
          const problem = clusterProblem(v.info, v.nodes, this.nodes.length);
          if (problem) throw new Error(`${n.host.name}: ${problem}`);
        }
        return true;
      },
      { everyMs: 250, ...(signal ? { signal } : {}) },
    );
  }

  /** The slot of a key, as the cluster computes it. */
  async slotOf(key: string): Promise<number> {
    return Number((await this.anyRunning().cli(['cluster', 'keyslot', key])).trim());
  }

  /** The node that is the slot's master now, as a running node sees it. */
  async masterOf(slot: number): Promise<RedisNode | undefined> {
    const { nodes } = await this.anyRunning().view();
    const m = masterOfSlot(nodes, slot);
    return m && this.nodes.find((n) => n.host.address === m.address);
  }

  /** Resolves with the new master once a node other than `old` serves the slot and the cluster says ok. */
  async waitNewMaster(slot: number, old: RedisNode, timeoutMs: number, signal?: AbortSignal): Promise<RedisNode> {
    return waitFor(
      `a replica promoted for slot ${slot}`,
      timeoutMs,
      async () => {
        for (const n of this.nodes.filter((x) => x.running)) {
          const v = await n.view();
          if (v.info.cluster_state !== 'ok') return undefined;
          const m = masterOfSlot(v.nodes, slot);
          if (!m || m.address === old.host.address) return undefined;
        }
        return this.masterOf(slot);
      },
      { everyMs: 100, ...(signal ? { signal } : {}) },
    );
  }

  /** Resolves once `node` is a replica of `master` with its replication link up. */
  async waitReplicaOf(node: RedisNode, master: RedisNode, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    await waitFor(
      `${node.host.name} a replica of ${master.host.name}, in sync`,
      timeoutMs,
      async () => {
        const { nodes } = await node.view();
        const me = nodes.find((x) => x.flags.includes('myself'));
        const them = nodes.find((x) => x.address === master.host.address);
        if (!me || !them || isMaster(me) || me.masterId !== them.id) return false;
        return parseInfo(await node.cli(['info', 'replication'])).master_link_status === 'up';
      },
      { everyMs: 250, ...(signal ? { signal } : {}) },
    );
  }

  private anyRunning(): RedisNode {
    const n = this.nodes.find((x) => x.running);
    if (!n) throw new Error('no Redis node is running');
    return n;
  }

  async destroy(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.kill()));
  }
}
