import { Module, type DynamicModule, type FactoryProvider } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import { APP_CONFIG, type AppConfig } from '@seckill/config';
import { DEPENDENCY_CHECKS, HealthController, type DependencyCheck } from './health.controller';
import { loggerParams } from './logger-options';
import { MetricsController } from './metrics.controller';
import { enableProcessMetrics } from './metrics';

/**
 * Logs (pino, JSON), metrics (`/metrics`, prom-client) and health (`/health`, `/health/ready`, terminus) for
 * one app. `checks` names the services the app needs to be ready (from the global modules it imports).
 */
@Module({})
export class ObservabilityModule {
  static forRoot(app: string, checks: Omit<FactoryProvider<DependencyCheck[]>, 'provide'>): DynamicModule {
    enableProcessMetrics(app);
    return {
      module: ObservabilityModule,
      imports: [
        LoggerModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => loggerParams(app, config.LOG_LEVEL),
        }),
        TerminusModule.forRoot({ logger: false }),
      ],
      controllers: [HealthController, MetricsController],
      providers: [{ provide: DEPENDENCY_CHECKS, ...checks }],
      exports: [LoggerModule],
    };
  }
}
