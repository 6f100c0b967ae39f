/**
 * Reading Redis Cluster's own description of itself (CLUSTER NODES, CLUSTER INFO). Pure text parsing, so
 * the lab's "who holds this slot" is unit-tested on captured output.
 */

export const SLOTS = 16384;

export interface ClusterNode {
  id: string;
  address: string;
  port: number;
  /** myself, master, slave, fail?, fail, handshake, noaddr, nofailover, noflags */
  flags: string[];
  /** The master's id, for a replica; undefined for a master. */
  masterId?: string;
  linkState: 'connected' | 'disconnected';
  /** Inclusive ranges of the slots it serves (masters only). */
  slots: [number, number][];
}

/**
 * One line per node: `<id> <ip:port@cport[,hostname]> <flags> <master|-> <ping-sent> <pong-recv> <config-epoch>
 * <link-state> <slot> <slot>…`. Slots being imported or migrated (`[…->-…]`) are not served yet and are skipped.
 */
export function parseClusterNodes(text: string): ClusterNode[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .map((line) => {
      const f = line.split(/\s+/);
      if (f.length < 8) throw new Error(`not a CLUSTER NODES line: ${line}`);
      const endpoint = f[1]!.split('@')[0]!;
      const colon = endpoint.lastIndexOf(':');
      const slots: [number, number][] = [];
      for (const s of f.slice(8)) {
        if (s.startsWith('[')) continue;
        const [a, b] = s.split('-');
        slots.push([Number(a), Number(b ?? a)]);
      }
      return {
        id: f[0]!,
        address: endpoint.slice(0, colon),
        port: Number(endpoint.slice(colon + 1)),
        flags: f[2]!.split(','),
        ...(f[3] !== '-' ? { masterId: f[3]! } : {}),
        linkState: f[7] === 'connected' ? 'connected' : 'disconnected',
        slots,
      };
    });
}

export const isMaster = (n: ClusterNode) => n.flags.includes('master');
export const isFailing = (n: ClusterNode) => n.flags.includes('fail') || n.flags.includes('fail?');

/** The master serving `slot` that nobody considers failed; undefined while there is none (a failover in progress). */
export function masterOfSlot(nodes: readonly ClusterNode[], slot: number): ClusterNode | undefined {
  return nodes.find((n) => isMaster(n) && !isFailing(n) && n.slots.some(([a, b]) => slot >= a && slot <= b));
}

export function replicasOf(nodes: readonly ClusterNode[], masterId: string): ClusterNode[] {
  return nodes.filter((n) => n.masterId === masterId && !isMaster(n));
}

/** `key:value` lines (CLUSTER INFO, INFO sections); comments and blank lines skipped. */
export function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const l = line.trim();
    if (l === '' || l.startsWith('#')) continue;
    const i = l.indexOf(':');
    if (i > 0) out[l.slice(0, i)] = l.slice(i + 1);
  }
  return out;
}

/**
 * What keeps a cluster from being healthy as seen by one node, or undefined if it is: state ok, every slot
 * served, the expected number of nodes known, nobody failing, every master with a connected replica.
 */
export function clusterProblem(info: Record<string, string>, nodes: readonly ClusterNode[], expectedNodes: number): string | undefined {
  if (info.cluster_state !== 'ok') return `cluster_state ${info.cluster_state ?? '?'}`;
  if (Number(info.cluster_slots_ok) !== SLOTS) return `${info.cluster_slots_ok ?? 0} of ${SLOTS} slots ok`;
  if (nodes.length !== expectedNodes) return `${nodes.length} of ${expectedNodes} nodes known`;
  const failing = nodes.filter(isFailing);
  if (failing.length) return `failing: ${failing.map((n) => `${n.address}:${n.port}`).join(', ')}`;
  const disconnected = nodes.filter((n) => !n.flags.includes('myself') && n.linkState !== 'connected');
  if (disconnected.length) return `links down to ${disconnected.map((n) => n.address).join(', ')}`;
  const alone = nodes.filter((n) => isMaster(n) && n.slots.length > 0 && replicasOf(nodes, n.id).length === 0);
  if (alone.length) return `masters without a replica: ${alone.map((n) => n.address).join(', ')}`;
  return undefined;
}
