import type { Dependency } from '@seckill/observability';

/** Where a consumer's messages come from. */
export type QueueSource =
  /** a durable queue of the topology, with its parking lot and its way back from the delay queues */
  | { kind: 'durable'; queue: string }
  /** a queue of this process alone (server-named, exclusive, auto-deleted), bound to an exchange: broadcasts */
  | { kind: 'exclusive'; label: string; exchange: string; routingKey: string };

export interface ConsumerSpec {
  source: QueueSource;
  /** Unacknowledged messages held at once: back-pressure and the memory bound. From configuration. */
  prefetch: number;
  /**
   * Batches: the handler receives up to `maxBatch` messages, `maxInFlight` calls at once. Absent: one message
   * per call, up to `prefetch` calls at once.
   */
  batch?: { maxBatch: number; maxInFlight: number };
  /** What the handler needs: a failure while one of these is down is an outage, and pauses the consumer. */
  dependencies: readonly Dependency[];
  /** Failures while every dependency answers after which a message is parked. */
  maxFailures: number;
  /** Called every time the consumer (re)attaches: a broadcast queue has missed what was sent meanwhile. */
  onAttached?: () => void;
}

/** The queue name for logs, metrics and readiness. */
export function sourceName(source: QueueSource): string {
  return source.kind === 'durable' ? source.queue : source.label;
}
