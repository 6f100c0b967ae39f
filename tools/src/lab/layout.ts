/**
 * The lab's hosts: one Linux network namespace each, all on one bridge. Everything the lab creates on the
 * machine carries the `sklab` prefix (namespaces, links, /etc/netns entries, the temp directory), so whatever a
 * crashed run left behind is recognised, and removed, by the next one. Pure: names and addresses only.
 */

export const PREFIX = 'sklab';
export const BRIDGE = `${PREFIX}0`;
export const SUBNET = '10.77.0.0/24';
/** The bridge's address in the root namespace: the load generator and the lab itself reach the hosts from here. */
export const GATEWAY = '10.77.0.1';
export const PREFIX_LENGTH = 24;

export type HostKind = 'rabbitmq' | 'redis' | 'postgres' | 'order-api' | 'order-worker' | 'websocket-notifier';

export interface Host {
  /** Short name (`rmq1`, `api2`…): what the lab's messages and logs say. */
  name: string;
  kind: HostKind;
  address: string;
}

const host = (name: string, kind: HostKind, last: number): Host => ({ name, kind, address: `10.77.0.${last}` });

export const HOSTS: readonly Host[] = [
  host('rmq1', 'rabbitmq', 11),
  host('rmq2', 'rabbitmq', 12),
  host('rmq3', 'rabbitmq', 13),
  host('redis1', 'redis', 21),
  host('redis2', 'redis', 22),
  host('redis3', 'redis', 23),
  host('redis4', 'redis', 24),
  host('redis5', 'redis', 25),
  host('redis6', 'redis', 26),
  host('pg', 'postgres', 30),
  host('api1', 'order-api', 41),
  host('api2', 'order-api', 42),
  host('worker1', 'order-worker', 51),
  host('worker2', 'order-worker', 52),
  host('notifier1', 'websocket-notifier', 61),
  host('notifier2', 'websocket-notifier', 62),
];

export const PORTS = {
  amqp: 5672,
  management: 15672,
  redis: 6379,
  postgres: 5432,
  'order-api': 3000,
  'order-worker': 3001,
  'websocket-notifier': 8085,
} as const;

/** The network namespace of a host; also its host name in every namespace's /etc/hosts (Erlang node names need one). */
export function namespaceOf(h: Pick<Host, 'name'>): string {
  return `${PREFIX}-${h.name}`;
}

/** The root-namespace end of the host's veth pair (the bridge port): at most 15 characters, as Linux wants. */
export function vethOf(h: Pick<Host, 'name'>): string {
  const name = `skl-${h.name}`;
  if (name.length > 15) throw new Error(`interface name ${name} is longer than 15 characters`);
  return name;
}

/** The RabbitMQ node name of a rabbitmq host (short names: the host part resolves through /etc/hosts). */
export function rabbitNodeOf(h: Pick<Host, 'name'>): string {
  return `rabbit@${namespaceOf(h)}`;
}

export function hostsOf(kind: HostKind): Host[] {
  return HOSTS.filter((h) => h.kind === kind);
}

export function hostNamed(name: string): Host {
  const h = HOSTS.find((x) => x.name === name);
  if (!h) throw new Error(`no lab host ${name}`);
  return h;
}

/** The /etc/hosts every namespace sees: every lab host by its namespace name. */
export function etcHosts(): string {
  return ['127.0.0.1 localhost', `${GATEWAY} ${PREFIX}-gateway`, ...HOSTS.map((h) => `${h.address} ${namespaceOf(h)}`), ''].join('\n');
}

/** Is this a name the lab created (for the leftover sweep)? */
export function isLabNamespace(name: string): boolean {
  return name.startsWith(`${PREFIX}-`);
}

export function isLabLink(name: string): boolean {
  return name === BRIDGE || name.startsWith('skl-');
}
