import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AppConfig } from '@seckill/config';
import { connectConsumers } from '@seckill/messaging';
import { PinoNestLogger } from '@seckill/observability';
import { workerConsumers } from './consumers';
import { WorkerModule } from './worker.module';

/**
 * order-worker, wired but not started: its HTTP server only answers /health and /metrics; its work comes from
 * RabbitMQ, every queue of consumers.ts consumed with the product's consumer model. Start with `init()`
 * (bootstrap hooks first: no order may be created before its payment-window queue exists), then
 * `startAllMicroservices()`, then `listen()`.
 */
export async function createWorker(config: AppConfig): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(WorkerModule, new FastifyAdapter(), { bufferLogs: true });
  app.useLogger(app.get(PinoNestLogger));
  app.enableShutdownHooks();
  connectConsumers(app, workerConsumers(config), config.SHUTDOWN_GRACE_MS);
  return app;
}
