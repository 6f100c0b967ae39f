import type { Logger } from 'pino';
import { metrics } from './metrics';

/**
 * The last line of defence: an error nobody awaited is logged with its stack and counted (the
 * `SeckillUnhandledErrors` alert fires), and the process keeps serving. Every expected failure — a dependency
 * that is down, a malformed message — is handled where it happens; reaching here is a bug to fix, but a sale
 * in progress should not lose a process to it. An uncaught exception leaves the process in an unknown state,
 * so that one still exits (after logging), and the supervisor restarts it.
 */
export function installProcessGuards(logger: Pick<Logger, 'error' | 'fatal'>): void {
  for (const kind of ['rejection', 'exception'] as const) metrics.unhandledErrors.inc({ kind }, 0);
  process.on('unhandledRejection', (reason) => {
    metrics.unhandledErrors.inc({ kind: 'rejection' });
    logger.error({ err: reason }, 'unhandled promise rejection (a bug: the process keeps running)');
  });
  process.on('uncaughtException', (err) => {
    metrics.unhandledErrors.inc({ kind: 'exception' });
    logger.fatal({ err }, 'uncaught exception; exiting');
    process.exit(1);
  });
}
