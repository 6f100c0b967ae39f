import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import { PinoLogger } from 'nestjs-pino';
import { appConfig } from '@seckill/config';
import { AMQP_CONNECTION, AmqpQueueServer, Queue } from '@seckill/messaging';
import { PinoNestLogger } from '@seckill/observability';
import { NotifierModule } from './notifier.module';
import { UuidPathWsAdapter } from './socket/uuid-path-ws.adapter';

/**
 * One port serves both HTTP (/health) and the WebSocket upgrade to /{uuid}. Events come from RabbitMQ
 * (seckill.notify.results, shared by all instances) and reach the instance holding a socket through Redis.
 */
async function bootstrap(): Promise<void> {
  const config = appConfig();
  const app = await NestFactory.create<NestFastifyApplication>(NotifierModule, new FastifyAdapter(), { bufferLogs: true });
  app.useLogger(app.get(PinoNestLogger));
  app.useWebSocketAdapter(new UuidPathWsAdapter(app));
  app.enableShutdownHooks();
  app.connectMicroservice(
    {
      strategy: new AmqpQueueServer({
        connection: app.get<AmqpConnectionManager>(AMQP_CONNECTION),
        queue: Queue.NOTIFY_RESULTS,
        prefetch: 200,
        logger: await app.resolve(PinoLogger),
      }),
    },
    { inheritAppConfig: true },
  );
  await app.startAllMicroservices();
  await app.listen(config.NOTIFIER_PORT, config.HOST);
  app.get(PinoNestLogger).log(`websocket-notifier listening on ws://${config.HOST}:${config.NOTIFIER_PORT}/{uuid}`);
}

bootstrap().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
