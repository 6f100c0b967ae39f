import { Inject, Module, type DynamicModule, type FactoryProvider, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { RouteInfo } from '@nestjs/common/interfaces';
import { InjectPinoLogger, LoggerModule, PinoLogger } from 'nestjs-pino';
import { APP_CONFIG, type AppConfig } from '@seckill/config';
import { DependencyMonitor, type DependencyCheck } from './dependencies/dependency-monitor';
import { HealthController } from './health.controller';
import { httpLogOptions, loggerParams, setProcessApp } from './logger-options';
import { REQUEST_LOGGING, RequestLogging } from './request-logging';
import { MetricsController } from './metrics.controller';
import { enableProcessMetrics, metrics } from './metrics';

export const DEPENDENCY_CHECKS = Symbol('DEPENDENCY_CHECKS');

class MonitorLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(DependencyMonitor) private readonly monitor: DependencyMonitor,
    @InjectPinoLogger('DependencyMonitor') private readonly logger: PinoLogger,
  ) {}

  onApplicationBootstrap(): void {
    for (const [name, s] of this.monitor.all()) metrics.dependencyUp.set({ dependency: name }, s.up ? 1 : 0);
    this.monitor.onChange((name, s) => {
      metrics.dependencyUp.set({ dependency: name }, s.up ? 1 : 0);
      // The reason a dependency is down goes to the log (in production /health/ready shows only up or down).
      if (s.up) this.logger.info({ dependency: name }, 'dependency up');
      else this.logger.warn({ dependency: name, error: s.error }, 'dependency down');
    });
    this.monitor.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.monitor.stop();
  }
}

/**
 * Logs (pino, JSON), metrics (`/metrics`, prom-client) and health (`/health`, `/health/ready`) for one app.
 * `checks` names the services the app needs (from the global modules it imports); they feed the
 * DependencyMonitor, which readiness and the consumers' outage handling share. `unloggedRoutes` get no
 * per-request logger (hot routes whose handlers log what matters themselves).
 */
@Module({})
export class ObservabilityModule {
  static forRoot(
    app: string,
    checks: Omit<FactoryProvider<DependencyCheck[]>, 'provide'>,
    options: { unloggedRoutes?: readonly RouteInfo[] } = {},
  ): DynamicModule {
    enableProcessMetrics(app);
    setProcessApp(app);
    return {
      module: ObservabilityModule,
      global: true,
      imports: [
        LoggerModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => loggerParams(app, config.LOG_LEVEL),
        }),
      ],
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: DEPENDENCY_CHECKS, ...checks },
        {
          provide: DependencyMonitor,
          inject: [DEPENDENCY_CHECKS, APP_CONFIG],
          useFactory: (list: DependencyCheck[], config: AppConfig) =>
            new DependencyMonitor(list, {
              intervalMs: config.DEPENDENCY_PROBE_INTERVAL_MS,
              downIntervalMs: Math.min(1000, config.DEPENDENCY_PROBE_INTERVAL_MS),
              timeoutMs: config.DEPENDENCY_PROBE_TIMEOUT_MS,
            }),
        },
        MonitorLifecycle,
        { provide: REQUEST_LOGGING, useValue: { httpOptions: httpLogOptions(), unloggedRoutes: options.unloggedRoutes ?? [] } },
        RequestLogging,
      ],
      exports: [LoggerModule, DependencyMonitor],
    };
  }
}
