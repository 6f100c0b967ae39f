import { Agent, request } from 'node:http';

export interface BurstResult<T = unknown> {
  status: number;
  body: T;
  startedAt: number;
  endedAt: number;
}

/**
 * Fires all requests at once over a pool of keep-alive sockets (node:http, so the pool size is ours to set:
 * Node's listen backlog would otherwise drop thousands of simultaneous connects). Loopback only.
 */
export async function burst<T = unknown>(
  url: string,
  requests: readonly { token: string; body: unknown }[],
  opts: { sockets?: number } = {},
): Promise<BurstResult<T>[]> {
  const target = new URL(url);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname)) throw new Error('bursts go to loopback only');
  const agent = new Agent({ keepAlive: true, maxSockets: opts.sockets ?? 256 });
  try {
    return await Promise.all(requests.map((r) => one<T>(agent, target, r.token, JSON.stringify(r.body))));
  } finally {
    agent.destroy();
  }
}

function one<T>(agent: Agent, url: URL, token: string, payload: string): Promise<BurstResult<T>> {
  // Measured from the moment a socket carries it, not from when it was queued in the pool: the overlap
  // computed from these times is the concurrency the server really saw.
  let startedAt = 0;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), authorization: `Bearer ${token}` },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // keep text
          }
          resolve({ status: res.statusCode ?? 0, body: body as T, startedAt, endedAt: performance.now() });
        });
      },
    );
    req.on('socket', () => (startedAt = performance.now()));
    req.on('error', reject);
    req.end(payload);
  });
}

/** The largest number of requests that were in flight at the same instant. */
export function maxOverlap(results: readonly { startedAt: number; endedAt: number }[]): number {
  const events = results.flatMap((r) => [
    { t: r.startedAt, d: 1 },
    { t: r.endedAt, d: -1 },
  ]);
  events.sort((a, b) => a.t - b.t || a.d - b.d);
  let cur = 0;
  let max = 0;
  for (const e of events) max = Math.max(max, (cur += e.d));
  return max;
}
