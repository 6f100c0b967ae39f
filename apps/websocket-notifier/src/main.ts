import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { appConfig } from '@seckill/config';
import { connectConsumers } from '@seckill/messaging';
import { createLogger, DependencyMonitor, installPrivatePort, installProcessGuards, listenPrivately, PinoNestLogger } from '@seckill/observability';
import { notifierConsumers } from './consumers';
import { NotifierModule } from './notifier.module';
import { OrderSocketGateway } from './socket/order-socket.gateway';
import { UuidPathWsAdapter } from './socket/uuid-path-ws.adapter';

/**
 * One port serves both HTTP (/health) and the WebSocket upgrade to /{uuid}. Events come from RabbitMQ
 * (seckill.notify.results, shared by all instances) and reach the instance holding a socket through Redis.
 */

async function bootstrap(): Promise<void> {
  const config = appConfig();
  installProcessGuards(createLogger('websocket-notifier', config.LOG_LEVEL));
  const app = await NestFactory.create<NestFastifyApplication>(NotifierModule, new FastifyAdapter(), { bufferLogs: true });
  app.useLogger(app.get(PinoNestLogger));
  const gateway = app.get(OrderSocketGateway);
  app.useWebSocketAdapter(
    new UuidPathWsAdapter(app, {
      maxPayload: config.NOTIFIER_MAX_PAYLOAD_BYTES,
      screen: (req) => gateway.screen(req),
      refuse: OrderSocketGateway.refuse,
      admit: (ws, screened) => void gateway.admit(ws, screened),
    }),
  );
  app.enableShutdownHooks();
  app.get(DependencyMonitor).addReadinessPart({ name: 'redis-subscriber', state: () => gateway.subscriberState() });
  connectConsumers(app, notifierConsumers(config), config.SHUTDOWN_GRACE_MS);
  const privatePort = installPrivatePort(app.getHttpAdapter().getInstance(), config);
  await app.init();
  await app.startAllMicroservices();
  await app.listen(config.NOTIFIER_PORT, config.HOST);
  app.get(PinoNestLogger).log(`websocket-notifier listening on ws://${config.HOST}:${config.NOTIFIER_PORT}/{uuid}`);
  await listenPrivately(app.get(PinoNestLogger), privatePort);
}

bootstrap().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
