import 'reflect-metadata';
import { appConfig } from '@seckill/config';
import { createLogger, installPrivatePort, installProcessGuards, listenPrivately, PinoNestLogger } from '@seckill/observability';
import { createWorker } from './create-worker';

async function bootstrap(): Promise<void> {
  const config = appConfig();
  installProcessGuards(createLogger('order-worker', config.LOG_LEVEL));
  const app = await createWorker(config);
  const privatePort = installPrivatePort(app.getHttpAdapter().getInstance(), config);
  await app.init();
  await app.startAllMicroservices();
  await app.listen(config.ORDER_WORKER_PORT, config.HOST);
  app.get(PinoNestLogger).log(`order-worker consuming; health on http://${config.HOST}:${config.ORDER_WORKER_PORT}/health`);
  await listenPrivately(app.get(PinoNestLogger), privatePort);
}

bootstrap().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
