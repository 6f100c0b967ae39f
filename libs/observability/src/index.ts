export { ObservabilityModule } from './observability.module';
export { createLogger, pinoOptions } from './logger-options';
export { Logger as PinoNestLogger, PinoLogger, InjectPinoLogger } from 'nestjs-pino';
export { DEPENDENCY_CHECKS, type DependencyCheck } from './health.controller';
export { metrics, metricsRegistry } from './metrics';
export { registerHttpMetrics } from './http-metrics';
