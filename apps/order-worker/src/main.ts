import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import { PinoLogger } from 'nestjs-pino';
import { appConfig } from '@seckill/config';
import { AMQP_CONNECTION, AmqpQueueServer, Queue } from '@seckill/messaging';
import { PinoNestLogger } from '@seckill/observability';
import { WorkerModule } from './worker.module';

/**
 * The worker's HTTP server only answers /health (and later /metrics); its work comes from RabbitMQ: the
 * pending-orders batch consumer (a provider) and the @EventPattern handlers on AmqpQueueServer.
 */
async function bootstrap(): Promise<void> {
  const config = appConfig();
  const app = await NestFactory.create<NestFastifyApplication>(WorkerModule, new FastifyAdapter(), { bufferLogs: true });
  app.useLogger(app.get(PinoNestLogger));
  app.enableShutdownHooks();
  // Single-message handlers (@EventPattern) run on a manual-ack transport over their durable queue.
  const connection = app.get<AmqpConnectionManager>(AMQP_CONNECTION);
  const logger = await app.resolve(PinoLogger);
  for (const [queue, prefetch] of [
    [Queue.FAIL_RELEASE, 50],
    [Queue.TIMEOUT, 50],
  ] as const) {
    app.connectMicroservice({ strategy: new AmqpQueueServer({ connection, queue, prefetch, logger }) }, { inheritAppConfig: true });
  }
  await app.startAllMicroservices();
  await app.listen(config.ORDER_WORKER_PORT, config.HOST);
  app.get(PinoNestLogger).log(`order-worker consuming; health on http://${config.HOST}:${config.ORDER_WORKER_PORT}/health`);
}

bootstrap().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
