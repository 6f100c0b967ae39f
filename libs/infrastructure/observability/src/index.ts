export { ObservabilityModule, DEPENDENCY_CHECKS } from './observability.module';
export { createLogger, pinoOptions } from './logger-options';
export { Logger as PinoNestLogger, PinoLogger, InjectPinoLogger } from 'nestjs-pino';
export { DependencyMonitor, type DependencyCheck, type DependencyStatus, type ReadinessPart } from './dependencies/dependency-monitor';
export { faultOrigin, DependencyUnavailableError, DEPENDENCIES, type Dependency, type FaultOrigin } from './dependencies/dependency-fault';
export { type HealthBody, type HealthEntry } from './health.controller';
export { installProcessGuards } from './process-guards';
export { metrics, metricsRegistry } from './metrics';
export { registerHttpMetrics } from './http-metrics';
