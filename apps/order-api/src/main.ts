import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { appConfig, type AppConfig } from '@seckill/config';
import { connectConsumers } from '@seckill/messaging';
import { createLogger, installPrivatePort, installProcessGuards, listenPrivately, PinoNestLogger, registerHttpMetrics, type PrivatePort } from '@seckill/observability';
import { AppModule } from './app.module';
import { registerPageAssets } from './client-config/page-assets';
import { orderApiConsumers } from './consumers';
import { clientErrorHandler, frameworkErrors } from './http/framework-errors';
import { installSecurityHeaders } from './http/security-headers';
import { ShutdownGate } from './http/shutdown-gate';
import { createValidationPipe } from './http/validation.pipe';
import { SoldOutFlags } from './orders/place-order/sold-out-flags';
import { OrderFastLane } from './orders/place-order/order-fast-lane';
import { trustProxySetting } from './http/trust-proxy';

export interface OrderApi {
  app: NestFastifyApplication;
  /** /metrics and /docs: on the app's port in development, on METRICS_PORT only when set and in production. */
  privatePort: PrivatePort;
}

export async function createOrderApi(config: AppConfig): Promise<OrderApi> {
  // return503OnClosing off: during a graceful stop ShutdownGate answers with the contract's 503 body instead.
  const adapter = new FastifyAdapter({
    bodyLimit: config.HTTP_BODY_LIMIT_BYTES,
    trustProxy: trustProxySetting(config.TRUST_PROXY),
    return503OnClosing: false,
    frameworkErrors,
    clientErrorHandler,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, adapter, { bufferLogs: true });
  app.useLogger(app.get(PinoNestLogger));
  app.useGlobalPipes(createValidationPipe());
  const fastify = app.getHttpAdapter().getInstance();
  app.get(ShutdownGate).install(fastify);
  app.get(OrderFastLane).install(fastify);
  const privatePort = installPrivatePort(fastify, config);
  installSecurityHeaders(fastify);
  registerHttpMetrics(fastify);
  app.enableShutdownHooks();
  connectConsumers(app, orderApiConsumers(config, app.get(SoldOutFlags)), config.SHUTDOWN_GRACE_MS);
  const doc = new DocumentBuilder()
    .setTitle('seckill order-api')
    .setDescription('Flash-sale orders: browse sale items, place orders, follow their outcome. See docs/ in the repository.')
    .setVersion('1')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, doc));
  await registerPageAssets(app);
  return { app, privatePort };
}

async function bootstrap(): Promise<void> {
  const config = appConfig();
  installProcessGuards(createLogger('order-api', config.LOG_LEVEL));
  const { app, privatePort } = await createOrderApi(config);
  await app.init();
  await app.startAllMicroservices();
  await app.listen(config.ORDER_API_PORT, config.HOST);
  app.get(PinoNestLogger).log(`order-api listening on http://${config.HOST}:${config.ORDER_API_PORT}`);
  await listenPrivately(app.get(PinoNestLogger), privatePort);
}

bootstrap().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
