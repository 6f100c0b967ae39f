import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { appConfig } from '@seckill/config';
import { PinoNestLogger } from '@seckill/observability';
import { WorkerModule } from './worker.module';

/** The worker's HTTP server only answers /health (and later /metrics); its work comes from RabbitMQ. */
async function bootstrap(): Promise<void> {
  const config = appConfig();
  const app = await NestFactory.create<NestFastifyApplication>(WorkerModule, new FastifyAdapter(), { bufferLogs: true });
  app.useLogger(app.get(PinoNestLogger));
  app.enableShutdownHooks();
  await app.listen(config.ORDER_WORKER_PORT, config.HOST);
  app.get(PinoNestLogger).log(`order-worker consuming; health on http://${config.HOST}:${config.ORDER_WORKER_PORT}/health`);
}

bootstrap().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
