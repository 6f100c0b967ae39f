import type { AppProcess } from '@seckill/testing';

export interface Readiness {
  /** ms from the end of the fault until every app had answered `/health/ready` with 200; undefined: not all did. */
  ms?: number;
  /** Per app label: ms until its first 200, or undefined. */
  perApp: Record<string, number | undefined>;
}

async function isReady(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2_000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

/**
 * How long after `from` every running app reports ready again, polled every 250 ms until `deadline` (or until
 * `signal` aborts). Readiness is an end state the apps report themselves, so polling it is the measurement.
 */
export async function timeToReady(apps: () => readonly AppProcess[], from: number, deadline: number, signal?: AbortSignal): Promise<Readiness> {
  const perApp: Record<string, number | undefined> = {};
  for (;;) {
    const current = apps();
    for (const p of current) if (!(p.label in perApp)) perApp[p.label] = undefined;
    const waiting = current.filter((p) => perApp[p.label] === undefined);
    const results = await Promise.all(waiting.map(async (p) => [p, await isReady(p.url)] as const));
    for (const [p, ok] of results) if (ok) perApp[p.label] = Date.now() - from;
    const labels = new Set(current.map((p) => p.label));
    const times = [...labels].map((l) => perApp[l]);
    if (times.every((t) => t !== undefined)) return { ms: Math.max(0, ...(times as number[])), perApp };
    if (Date.now() >= deadline || signal?.aborted) return { perApp };
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Before the sale: every app ready, or the scenario cannot start fairly. */
export async function waitAllReady(apps: readonly AppProcess[], timeoutMs: number): Promise<void> {
  const r = await timeToReady(() => apps, Date.now(), Date.now() + timeoutMs);
  if (r.ms === undefined) {
    const notReady = Object.entries(r.perApp).filter(([, t]) => t === undefined).map(([l]) => l);
    throw new Error(`not ready within ${timeoutMs} ms before the sale: ${notReady.join(', ')}`);
  }
}
