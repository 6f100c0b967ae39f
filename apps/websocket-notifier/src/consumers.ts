import type { AppConfig } from '@seckill/config';
import { Queue, type ConsumerSpec } from '@seckill/messaging';

/** The queue websocket-notifier consumes (shared by every instance): each outcome is stored once. */
export function notifierConsumers(config: AppConfig): ConsumerSpec[] {
  return [
    {
      source: { kind: 'durable', queue: Queue.NOTIFY_RESULTS },
      prefetch: config.NOTIFY_PREFETCH,
      dependencies: ['redis', 'rabbitmq'],
      maxFailures: config.MAX_DELIVERIES,
    },
  ];
}
