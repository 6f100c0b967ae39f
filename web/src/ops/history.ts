import type { OpsOverview, QueueOps } from '@seckill/contracts';

/** How far back the charts reach; at one sample per 2 s that is 150 samples, a few kilobytes per queue. */
export const WINDOW_MS = 5 * 60_000;

export interface Point {
  at: number;
  /** null: the queue was not in that sample (the broker was unreachable, or the queue did not exist yet). */
  value: number | null;
}

export type QueueMetric = 'ready' | 'unacked' | 'messages' | 'publishRate' | 'deliverRate' | 'ackRate';

interface Sample {
  at: number;
  queues: ReadonlyMap<string, QueueOps>;
}

/**
 * The last five minutes of queue samples, in memory only (a reload starts empty, which is fine for a live view).
 * Samples are stamped with the browser's clock at receipt, not the server's `at`: behind a load balancer two
 * order-api instances may disagree by a little, and the line would then step backwards.
 */
export class History {
  private samples: Sample[] = [];

  add(overview: OpsOverview, at = Date.now()): void {
    this.samples.push({ at, queues: new Map(overview.queues.map((q) => [q.name, q])) });
    const oldest = at - WINDOW_MS;
    const keep = this.samples.findIndex((sample) => sample.at >= oldest);
    if (keep > 0) this.samples.splice(0, keep);
  }

  clear(): void {
    this.samples = [];
  }

  /** The time of the newest sample: the right edge of every chart. */
  end(): number {
    return this.samples.at(-1)?.at ?? Date.now();
  }

  /** The oldest value within the last `spanMs` (null until the history is that long): the base of a trend. */
  valueAgo(queue: string, metric: QueueMetric, spanMs: number): number | null {
    const since = this.end() - spanMs;
    const first = this.samples[0];
    if (!first || first.at > since) return null;
    const base = this.samples.find((s) => s.at >= since)?.queues.get(queue)?.[metric];
    return typeof base === 'number' && Number.isFinite(base) ? base : null;
  }

  series(queue: string, metric: QueueMetric): Point[] {
    return this.samples.map((s) => {
      const value = s.queues.get(queue)?.[metric];
      return { at: s.at, value: typeof value === 'number' && Number.isFinite(value) ? value : null };
    });
  }
}
