import type { AppConfig } from '@seckill/config';
import { Queue, type ConsumerSpec } from '@seckill/messaging';

/**
 * Every queue order-worker consumes, with its prefetch from configuration and the dependencies whose outage
 * pauses it. Handlers are the `@EventPattern(queue)` methods of the controllers in this app.
 */
export function workerConsumers(config: AppConfig): ConsumerSpec[] {
  return [
    {
      source: { kind: 'durable', queue: Queue.PENDING },
      prefetch: config.WORKER_PREFETCH,
      batch: { maxBatch: config.WORKER_BATCH_SIZE, maxInFlight: config.WORKER_BATCHES_IN_FLIGHT },
      dependencies: ['postgres', 'redis', 'rabbitmq'],
      maxFailures: config.MAX_DELIVERIES,
    },
    {
      source: { kind: 'durable', queue: Queue.FAIL_RELEASE },
      prefetch: config.FAIL_RELEASE_PREFETCH,
      dependencies: ['redis', 'rabbitmq'],
      maxFailures: config.MAX_DELIVERIES,
    },
    {
      source: { kind: 'durable', queue: Queue.TIMEOUT },
      prefetch: config.TIMEOUT_PREFETCH,
      dependencies: ['postgres', 'redis', 'rabbitmq'],
      maxFailures: config.MAX_DELIVERIES,
    },
  ];
}
