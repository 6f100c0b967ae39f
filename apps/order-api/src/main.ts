import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { appConfig, type AppConfig } from '@seckill/config';
import { PinoNestLogger, registerHttpMetrics } from '@seckill/observability';
import { AppModule } from './app.module';
import { registerPageAssets } from './client-config/page-assets';
import { createValidationPipe } from './http/validation.pipe';

export async function createOrderApi(config: AppConfig): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({ bodyLimit: config.HTTP_BODY_LIMIT_BYTES, trustProxy: true });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, adapter, { bufferLogs: true });
  app.useLogger(app.get(PinoNestLogger));
  app.useGlobalPipes(createValidationPipe());
  registerHttpMetrics(app.getHttpAdapter().getInstance());
  app.enableShutdownHooks();
  const doc = new DocumentBuilder()
    .setTitle('seckill order-api')
    .setDescription('Flash-sale orders: browse sale items, place orders, follow their outcome. See docs/ in the repository.')
    .setVersion('1')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, doc));
  await registerPageAssets(app);
  return app;
}

async function bootstrap(): Promise<void> {
  const config = appConfig();
  const app = await createOrderApi(config);
  await app.listen(config.ORDER_API_PORT, config.HOST);
  app.get(PinoNestLogger).log(`order-api listening on http://${config.HOST}:${config.ORDER_API_PORT}`);
}

bootstrap().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
