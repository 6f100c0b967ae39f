import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NsProcess, runIn, waitFor } from '../exec';
import { namespaceOf, PORTS, rabbitNodeOf, type Host } from '../layout';

const BIN = '/usr/lib/rabbitmq/bin';
export const RABBITMQ_SERVER = `${BIN}/rabbitmq-server`;
export const RABBITMQCTL = `${BIN}/rabbitmqctl`;
const AUTH = `Basic ${Buffer.from('guest:guest').toString('base64')}`;

/** What the management API says about a node (GET /api/nodes). */
export interface NodeView {
  name: string;
  running: boolean;
  /** Absent for a node that is not running. */
  partitions?: string[];
}

/** What it says about a queue (GET /api/queues/%2F). */
export interface QueueView {
  name: string;
  type: string;
  members?: string[];
  online?: string[];
  leader?: string;
}

/**
 * One RabbitMQ node on its own host. The server runs as root straight from /usr/lib/rabbitmq/bin (the Debian
 * wrapper would switch to the rabbitmq user, `cd /var/lib/rabbitmq` and write the shared server's startup log),
 * with a lab-only cookie in its HOME and its own env file: /etc/rabbitmq/rabbitmq-env.conf belongs to the shared
 * server and pins epmd and the distribution to 127.0.0.1. `RUNNING_UNDER_SYSTEMD` makes the script exec the VM,
 * so the process we hold is beam.smp itself and SIGKILL is a real crash.
 */
export class RabbitNode {
  private proc?: NsProcess;
  readonly node: string;
  readonly ns: string;

  constructor(
    readonly host: Host,
    private readonly dir: string,
    private readonly logDir: string,
    private readonly cookie: string,
  ) {
    this.node = rabbitNodeOf(host);
    this.ns = namespaceOf(host);
  }

  get amqpUrl(): string {
    return `amqp://guest:guest@${this.host.address}:${PORTS.amqp}`;
  }

  get managementUrl(): string {
    return `http://guest:guest@${this.host.address}:${PORTS.management}`;
  }

  get running(): boolean {
    return this.proc?.running ?? false;
  }

  private get env(): Record<string, string> {
    return {
      HOME: join(this.dir, 'home'),
      RABBITMQ_CONF_ENV_FILE: join(this.dir, 'rabbitmq-env.conf'),
      RABBITMQ_NODENAME: this.node,
      RABBITMQ_MNESIA_BASE: join(this.dir, 'mnesia'),
      RABBITMQ_LOG_BASE: join(this.logDir, this.host.name),
      RABBITMQ_CONFIG_FILE: join(this.dir, 'rabbitmq.conf'),
      RABBITMQ_ADVANCED_CONFIG_FILE: join(this.dir, 'advanced.config'),
      RABBITMQ_ENABLED_PLUGINS_FILE: join(this.dir, 'enabled_plugins'),
      RABBITMQ_PID_FILE: join(this.dir, 'pid'),
      RUNNING_UNDER_SYSTEMD: 'true',
    };
  }

  prepare(): void {
    for (const d of ['home', 'mnesia']) mkdirSync(join(this.dir, d), { recursive: true });
    mkdirSync(join(this.logDir, this.host.name), { recursive: true });
    const cookie = join(this.dir, 'home', '.erlang.cookie');
    writeFileSync(cookie, this.cookie);
    chmodSync(cookie, 0o400);
    writeFileSync(join(this.dir, 'rabbitmq-env.conf'), '# the lab node reads this file instead of /etc/rabbitmq/rabbitmq-env.conf\n');
    writeFileSync(
      join(this.dir, 'rabbitmq.conf'),
      [
        `listeners.tcp.default = ${PORTS.amqp}`,
        `management.tcp.port = ${PORTS.management}`,
        // guest may log in from the other hosts: the lab is a private network.
        'loopback_users = none',
        // Of three nodes, one cut off from the other two pauses (closing its clients' connections, so they move to
        // the majority) and resumes by itself once it sees them again; `ignore` would leave two halves serving.
        'cluster_partition_handling = pause_minority',
        'collect_statistics_interval = 1000',
        '',
      ].join('\n'),
    );
    // A partition is noticed within net_ticktime (60 s by default): 10 s keeps a scenario short.
    writeFileSync(join(this.dir, 'advanced.config'), '[{kernel, [{net_ticktime, 10}]}].\n');
    writeFileSync(join(this.dir, 'enabled_plugins'), '[rabbitmq_management].\n');
  }

  /** Starts the node (on the data it has) and resolves once it has booted. */
  async start(timeoutMs = 120_000, signal?: AbortSignal): Promise<void> {
    this.proc = NsProcess.spawn(this.host.name, this.ns, RABBITMQ_SERVER, [], { env: this.env, logFile: join(this.logDir, `${this.host.name}.log`) });
    const proc = this.proc;
    await waitFor(
      `${this.node} booted`,
      timeoutMs,
      async () => {
        if (!proc.running) throw new Error(`${this.node} exited (${proc.ending}); see ${proc.logFile}`);
        await this.ctl(['await_startup', '--timeout', '30'], 40_000);
        return true;
      },
      { everyMs: 1000, ...(signal ? { signal } : {}) },
    );
  }

  /** SIGKILL to the VM: a crash, nothing flushed, no goodbye to the cluster. */
  async kill(): Promise<void> {
    await this.proc?.stop('SIGKILL');
  }

  async stop(): Promise<void> {
    await this.proc?.stop('SIGTERM', 30_000);
  }

  ctl(args: readonly string[], timeoutMs = 60_000): Promise<string> {
    return runIn(this.ns, RABBITMQCTL, ['-n', this.node, ...args], { env: this.env, timeoutMs });
  }

  /** Joins the cluster that `seed` belongs to (the node's own data is reset by join_cluster). */
  async join(seed: RabbitNode): Promise<void> {
    await this.ctl(['stop_app']);
    await this.ctl(['join_cluster', seed.node]);
    await this.ctl(['start_app']);
  }

  async api<T>(path: string, timeoutMs = 5_000): Promise<T> {
    const res = await fetch(`http://${this.host.address}:${PORTS.management}/api${path}`, { headers: { authorization: AUTH }, signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) throw new Error(`GET ${path} on ${this.host.name}: ${res.status}`);
    return (await res.json()) as T;
  }

  nodes(): Promise<NodeView[]> {
    return this.api<NodeView[]>('/nodes?columns=name,running,partitions');
  }

  queues(): Promise<QueueView[]> {
    return this.api<QueueView[]>('/queues/%2F?columns=name,type,members,online,leader');
  }
}

/** A cluster is whole when every node runs and none reports a partition. */
export function clusterWhole(views: readonly NodeView[], expected: readonly string[]): string | undefined {
  const missing = expected.filter((n) => !views.some((v) => v.name === n && v.running));
  if (missing.length) return `not running: ${missing.join(', ')}`;
  const split = views.filter((v) => (v.partitions ?? []).length > 0);
  if (split.length) return `partitions seen by ${split.map((v) => `${v.name} (${(v.partitions ?? []).join(', ')})`).join(', ')}`;
  return undefined;
}

/** Quorum queues with fewer members, or fewer online, than there are nodes: replication is not what it should be. */
export function underReplicated(queues: readonly QueueView[], nodes: number): string[] {
  return queues
    .filter((q) => q.type === 'quorum')
    .filter((q) => (q.members?.length ?? 0) < nodes || (q.online?.length ?? 0) < nodes)
    .map((q) => `${q.name} (${q.online?.length ?? 0}/${q.members?.length ?? 0} of ${nodes})`);
}

/** The three nodes started together, then the second and third joined to the first. */
export class RabbitCluster {
  constructor(readonly nodes: readonly RabbitNode[]) {}

  get amqpUrls(): string[] {
    return this.nodes.map((n) => n.amqpUrl);
  }

  get managementUrls(): string[] {
    return this.nodes.map((n) => n.managementUrl);
  }

  node(name: string): RabbitNode {
    const n = this.nodes.find((x) => x.host.name === name);
    if (!n) throw new Error(`no RabbitMQ node on ${name}`);
    return n;
  }

  others(n: RabbitNode): RabbitNode[] {
    return this.nodes.filter((x) => x !== n);
  }

  async start(log: (line: string) => void, signal?: AbortSignal): Promise<void> {
    for (const n of this.nodes) n.prepare();
    await Promise.all(this.nodes.map((n) => n.start(120_000, signal)));
    const [seed, ...rest] = this.nodes;
    for (const n of rest) {
      log(`rabbitmq: ${n.node} joins ${seed!.node}`);
      await n.join(seed!);
    }
    await this.waitWhole(60_000, signal);
  }

  /** Resolves once every node, asked from any running one, is running and nobody reports a partition. */
  async waitWhole(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const names = this.nodes.map((n) => n.node);
    await waitFor(
      'the RabbitMQ cluster whole (3 nodes running, no partition)',
      timeoutMs,
      async () => {
        for (const n of this.nodes) {
          const problem = clusterWhole(await n.nodes(), names);
          if (problem) throw new Error(`${n.host.name}: ${problem}`);
        }
        return true;
      },
      { everyMs: 1000, ...(signal ? { signal } : {}) },
    );
  }

  /** Resolves once every quorum queue has a member, online, on every node. */
  async waitReplicated(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    await waitFor(
      'every quorum queue with its 3 members online',
      timeoutMs,
      async () => {
        const queues = await this.anyRunning().queues();
        if (!queues.some((q) => q.type === 'quorum')) throw new Error('no quorum queue declared yet');
        const short = underReplicated(queues, this.nodes.length);
        if (short.length) throw new Error(short.join(', '));
        return true;
      },
      { everyMs: 1000, ...(signal ? { signal } : {}) },
    );
  }

  /**
   * Restarts (SIGTERM, then started again on its data) every node that does not answer for itself: its management
   * API down, or it says it is not running. What an operator does with `systemctl restart rabbitmq-server` when a
   * node is stuck; returns their host names.
   */
  async restartUnanswering(signal?: AbortSignal): Promise<string[]> {
    const restarted: string[] = [];
    for (const n of this.nodes) {
      const answers = await n.nodes().then(
        (views) => views.some((v) => v.name === n.node && v.running),
        () => false,
      );
      if (answers) continue;
      await n.stop();
      await n.start(120_000, signal);
      restarted.push(n.host.name);
    }
    return restarted;
  }

  /** The node that leads a quorum queue now. */
  async leaderOf(queue: string): Promise<RabbitNode> {
    const q = (await this.anyRunning().queues()).find((x) => x.name === queue);
    const n = this.nodes.find((x) => x.node === q?.leader);
    if (!n) throw new Error(`no leader known for ${queue}`);
    return n;
  }

  private anyRunning(): RabbitNode {
    const n = this.nodes.find((x) => x.running);
    if (!n) throw new Error('no RabbitMQ node is running');
    return n;
  }

  async destroy(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.kill()));
  }
}
