import type { INestApplication } from '@nestjs/common';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import { DependencyMonitor } from '@seckill/observability';
import { AmqpQueueServer } from './amqp-queue.server';
import type { MessagingLogger } from './channel-guard';
import { ConfirmedPublisher } from './confirmed-publisher';
import type { ConsumerSpec } from './consumer-spec';
import { AMQP_CONNECTION, MESSAGING_LOGGER } from './messaging.module';

/**
 * Connects the product's consumer transport to an app: every queue of `consumers` is consumed by one
 * QueueConsumer, its handler the app's `@EventPattern(queue)` method, each consumer part of the app's readiness.
 * The microservice inherits nothing from the HTTP app (its validation pipe would walk a Delivery's channel, its
 * error filter speaks HTTP); handler classes are marked @QueueHandlers() so the consumer sees their real errors.
 * Start it with `app.startAllMicroservices()` after `app.init()`.
 */
export function connectConsumers(app: INestApplication, consumers: readonly ConsumerSpec[], graceMs: number): void {
  const monitor = app.get(DependencyMonitor);
  app.connectMicroservice(
    {
      strategy: new AmqpQueueServer({
        connection: app.get<AmqpConnectionManager>(AMQP_CONNECTION),
        publisher: app.get(ConfirmedPublisher),
        probe: monitor,
        logger: app.get<MessagingLogger>(MESSAGING_LOGGER),
        consumers,
        addReadinessPart: (part) => monitor.addReadinessPart(part),
        graceMs,
      }),
    },
    { inheritAppConfig: false },
  );
}
