import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, runSync } from './exec';
import { BRIDGE, etcHosts, GATEWAY, isLabLink, isLabNamespace, namespaceOf, PREFIX, PREFIX_LENGTH, vethOf, type Host } from './layout';

const NETNS_ETC = '/etc/netns';

const ip = (...args: string[]) => run('ip', args, { timeoutMs: 20_000 });

/**
 * The lab's network: a bridge in the root namespace (with the gateway address, so the load generator reaches
 * every host) and one namespace per host, joined to it by a veth pair. The faults are network faults on it:
 * a host cut off (its bridge port down), or two groups of hosts partitioned from each other (blackhole routes
 * on both sides; the machine has no iptables/nft, and a route needs none).
 */
export class LabNetwork {
  private readonly partitions = new Map<string, { host: Host; from: Host[] }>();

  async createBridge(): Promise<void> {
    await ip('link', 'add', BRIDGE, 'type', 'bridge');
    await ip('addr', 'add', `${GATEWAY}/${PREFIX_LENGTH}`, 'dev', BRIDGE);
    await ip('link', 'set', BRIDGE, 'up');
  }

  async addHost(h: Host): Promise<void> {
    const ns = namespaceOf(h);
    await ip('netns', 'add', ns);
    await ip('link', 'add', vethOf(h), 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
    await ip('link', 'set', vethOf(h), 'master', BRIDGE, 'up');
    await ip('-n', ns, 'addr', 'add', `${h.address}/${PREFIX_LENGTH}`, 'dev', 'eth0');
    await ip('-n', ns, 'link', 'set', 'eth0', 'up');
    await ip('-n', ns, 'link', 'set', 'lo', 'up');
    // `ip netns exec` bind-mounts this over /etc/hosts: Erlang node names (rabbit@sklab-rmq1) resolve through it.
    mkdirSync(join(NETNS_ETC, ns), { recursive: true });
    writeFileSync(join(NETNS_ETC, ns, 'hosts'), etcHosts());
  }

  /** The host's bridge port goes down: nothing reaches it and nothing leaves it, its processes keep running. */
  async cut(h: Host): Promise<void> {
    await ip('link', 'set', vethOf(h), 'down');
  }

  async reconnect(h: Host): Promise<void> {
    await ip('link', 'set', vethOf(h), 'up');
  }

  /**
   * `host` and `from` stop reaching each other (both directions); everyone else still reaches both, so the
   * clients of a partitioned RabbitMQ node still see it, as in a real split between racks.
   */
  async partition(host: Host, from: readonly Host[]): Promise<void> {
    this.partitions.set(host.name, { host, from: [...from] });
    for (const other of from) {
      await ip('-n', namespaceOf(host), 'route', 'add', 'blackhole', `${other.address}/32`);
      await ip('-n', namespaceOf(other), 'route', 'add', 'blackhole', `${host.address}/32`);
    }
  }

  async heal(host: Host): Promise<void> {
    const p = this.partitions.get(host.name);
    if (!p) return;
    this.partitions.delete(host.name);
    for (const other of p.from) {
      await ip('-n', namespaceOf(host), 'route', 'del', 'blackhole', `${other.address}/32`).catch(() => undefined);
      await ip('-n', namespaceOf(other), 'route', 'del', 'blackhole', `${host.address}/32`).catch(() => undefined);
    }
  }

  /** Every partition healed and every port up: what a scenario that broke off half-way leaves for the next one. */
  async restoreAll(hosts: readonly Host[]): Promise<void> {
    for (const name of [...this.partitions.keys()]) await this.heal(this.partitions.get(name)!.host);
    for (const h of hosts) await this.reconnect(h).catch(() => undefined);
  }
}

/** What a lab left on the machine, found by its prefix. */
export interface Leftovers {
  namespaces: string[];
  links: string[];
  etc: string[];
  tempDirs: string[];
}

export function isEmpty(l: Leftovers): boolean {
  return l.namespaces.length + l.links.length + l.etc.length + l.tempDirs.length === 0;
}

export function describeLeftovers(l: Leftovers): string {
  const parts = [
    l.namespaces.length ? `${l.namespaces.length} namespaces (${l.namespaces.join(', ')})` : '',
    l.links.length ? `links ${l.links.join(', ')}` : '',
    l.etc.length ? `${l.etc.length} /etc/netns entries` : '',
    l.tempDirs.length ? `temp dirs ${l.tempDirs.join(', ')}` : '',
  ].filter(Boolean);
  return parts.join('; ');
}

/** `ip netns list` lines look like `sklab-rmq1 (id: 3)` or just `sklab-rmq1`. */
export function parseNetnsList(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((n) => n !== '');
}

/** `ip -o link show` lines: `7: skl-rmq1@if2: <…>` → `skl-rmq1`. */
export function parseLinkNames(text: string): string[] {
  return text
    .split('\n')
    .map((l) => /^\d+:\s+([^:@\s]+)/.exec(l)?.[1])
    .filter((n): n is string => n !== undefined);
}

function listDir(dir: string, keep: (name: string) => boolean): string[] {
  try {
    return readdirSync(dir).filter(keep).map((n) => join(dir, n));
  } catch {
    return [];
  }
}

/** Finds what a lab (a crashed one, or one kept up) left: blocking, so the `exit` hook can use it too. */
export function findLeftovers(): Leftovers {
  return {
    namespaces: parseNetnsList(runSync('ip', ['netns', 'list'])).filter(isLabNamespace),
    links: parseLinkNames(runSync('ip', ['-o', 'link', 'show'])).filter(isLabLink),
    etc: listDir(NETNS_ETC, isLabNamespace),
    tempDirs: listDir(tmpdir(), (n) => n.startsWith(`${PREFIX}-`)),
  };
}

/**
 * Removes every trace of a lab: every process inside a lab namespace (servers, epmd, the apps) is killed, then
 * the namespaces (their veth ends go with them), the bridge, the /etc/netns entries and the temp directories.
 * Blocking on purpose: it also runs from the `exit` hook and must finish before the process does.
 */
export function removeLab(found: Leftovers = findLeftovers()): void {
  for (const ns of found.namespaces) {
    for (const pid of runSync('ip', ['netns', 'pids', ns]).split('\n').map(Number).filter((p) => p > 0)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  for (const ns of found.namespaces) runSync('ip', ['netns', 'del', ns]);
  for (const link of parseLinkNames(runSync('ip', ['-o', 'link', 'show'])).filter(isLabLink)) runSync('ip', ['link', 'del', link]);
  for (const dir of [...found.etc, ...found.tempDirs]) rmSync(dir, { recursive: true, force: true });
}
