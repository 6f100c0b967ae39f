import { Module, type DynamicModule, type FactoryProvider } from '@nestjs/common';
import type { RouteInfo } from '@nestjs/common/interfaces';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import { APP_CONFIG, type AppConfig } from '@seckill/config';
import { DEPENDENCY_CHECKS, HealthController, type DependencyCheck } from './health.controller';
import { loggerParams } from './logger-options';
import { MetricsController } from './metrics.controller';
import { enableProcessMetrics } from './metrics';

/**
 * Logs (pino, JSON), metrics (`/metrics`, prom-client) and health (`/health`, `/health/ready`, terminus) for
 * one app. `checks` names the services the app needs to be ready (from the global modules it imports);
 * `unloggedRoutes` get no per-request logger (hot routes whose handlers log what matters themselves).
 */
@Module({})
export class ObservabilityModule {
  static forRoot(
    app: string,
    checks: Omit<FactoryProvider<DependencyCheck[]>, 'provide'>,
    options: { unloggedRoutes?: readonly RouteInfo[] } = {},
  ): DynamicModule {
    enableProcessMetrics(app);
    return {
      module: ObservabilityModule,
      imports: [
        LoggerModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => loggerParams(app, config.LOG_LEVEL, options.unloggedRoutes),
        }),
        TerminusModule.forRoot({ logger: false }),
      ],
      controllers: [HealthController, MetricsController],
      providers: [{ provide: DEPENDENCY_CHECKS, ...checks }],
      exports: [LoggerModule],
    };
  }
}
