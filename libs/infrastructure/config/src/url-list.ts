/**
 * Lists of URLs naming the nodes of one cluster (RABBITMQ_URL, RABBITMQ_MANAGEMENT_URL):
 * `amqp://u:p@h1:5672/vh,amqp://u:p@h2:5672/vh`. Parsed here once, so every client, tool and check reads a
 * list the same way.
 *
 * A comma separates two nodes only where the next URL begins (`,amqp://`): a comma is legal unescaped in a
 * URL's password, and a single URL that holds one must keep working exactly as before lists existed.
 */
const NODE_SEPARATOR = /\s*,\s*(?=[a-z][a-z0-9+.-]*:\/\/)/i;

/** The nodes of a list, in the order given; a single URL is a list of one. */
export function splitUrlList(value: string): string[] {
  return value.trim().split(NODE_SEPARATOR);
}

/** `host:port` of a node, without its credentials: what logs and error messages may show. */
export function nodeAddress(nodeUrl: string): string {
  try {
    const u = new URL(nodeUrl);
    return u.port ? `${u.hostname}:${u.port}` : u.hostname;
  } catch {
    return '(not a URL)';
  }
}

/** The vhost an AMQP URL names, as amqplib reads it: unescaped, and `/` when the path is empty. */
export function amqpVhost(nodeUrl: string): string {
  return decodeURIComponent(new URL(nodeUrl).pathname.slice(1)) || '/';
}

/** The vhost of RABBITMQ_URL (configuration validation guarantees every node names the same). */
export function rabbitmqVhost(list: string): string {
  const first = splitUrlList(list)[0];
  return first === undefined ? '/' : amqpVhost(first);
}

/** Every node of a list of brokers without a vhost (`amqp://u:p@h:5672`), reached through `vhost`. */
export function withVhost(list: string, vhost: string): string {
  return splitUrlList(list)
    .map((node) => `${node.replace(/\/$/, '')}/${encodeURIComponent(vhost)}`)
    .join(',');
}

export interface UrlListRules {
  protocols: readonly string[];
  /** AMQP: one cluster is reached through one vhost, so every node must name the same. */
  sameVhost?: boolean;
}

/**
 * What is wrong with a list of two or more nodes, one message per problem (the caller names the variable).
 * Messages show nodes by position and `host:port`, never with their credentials.
 */
export function urlListProblems(nodes: readonly string[], rules: UrlListRules): string[] {
  const problems: string[] = [];
  const of = `of ${nodes.length}`;
  const parsed: { at: number; url: URL }[] = [];
  nodes.forEach((node, i) => {
    const at = i + 1;
    if (node === '') return void problems.push(`node ${at} ${of} is empty`);
    let url: URL;
    try {
      url = new URL(node);
    } catch {
      return void problems.push(`node ${at} ${of} is not a URL (a list is whole URLs separated by commas: scheme://user:pass@host1:port/…,scheme://user:pass@host2:port/…)`);
    }
    if (!rules.protocols.includes(url.protocol)) {
      return void problems.push(`node ${at} ${of} (${nodeAddress(node)}) must start with ${rules.protocols.join(' or ')}`);
    }
    const twin = parsed.find((p) => p.url.host === url.host);
    if (twin) problems.push(`node ${at} ${of} (${nodeAddress(node)}) repeats node ${twin.at}`);
    parsed.push({ at, url });
  });
  if (rules.sameVhost && parsed.length > 1) {
    const vhosts = parsed.map((p) => ({ at: p.at, vhost: amqpVhost(p.url.href) }));
    if (new Set(vhosts.map((v) => v.vhost)).size > 1) {
      const named = vhosts.map((v) => `node ${v.at}: ${JSON.stringify(v.vhost)}`).join(', ');
      problems.push(`the nodes name different vhosts (${named}); every node of one cluster must be reached through the same vhost`);
    }
  }
  return problems;
}
