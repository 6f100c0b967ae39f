import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { appConfig, ConfigModule } from '@seckill/config';
import { DEPENDENCY_CHECKS, HealthController, ObservabilityModule, PinoNestLogger } from '@seckill/observability';

/** A running shell for now: the WebSocket push arrives with the notifier issue. */
@Module({
  imports: [ConfigModule, ObservabilityModule.forRoot('websocket-notifier')],
  controllers: [HealthController],
  providers: [{ provide: DEPENDENCY_CHECKS, useValue: [] }],
})
class NotifierModule {}

async function bootstrap(): Promise<void> {
  const config = appConfig();
  const app = await NestFactory.create<NestFastifyApplication>(NotifierModule, new FastifyAdapter(), { bufferLogs: true });
  app.useLogger(app.get(PinoNestLogger));
  app.enableShutdownHooks();
  await app.listen(config.NOTIFIER_PORT, config.HOST);
  app.get(PinoNestLogger).log(`websocket-notifier listening on ${config.HOST}:${config.NOTIFIER_PORT}`);
}

bootstrap().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
