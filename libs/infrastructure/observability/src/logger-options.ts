import type { Params } from 'nestjs-pino';
import type { IncomingMessage } from 'node:http';
import pino, { type Logger } from 'pino';
import type { Options } from 'pino-http';

/**
 * One JSON log line per event, every line carrying `app` and, where there is one, the order's `uuid`: one
 * search for a uuid follows an order from the click through every message to the push.
 */
export function pinoOptions(app: string, level: string): pino.LoggerOptions {
  return {
    level,
    base: { app, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ['req.headers.authorization', 'password', '*.password'], censor: '[redacted]' },
  };
}

/** pino-http's options for one app's request logs (installed by RequestLogging). */
export function httpLogOptions(): Options {
  return {
    // A flood of 409 SOLD_OUT is the normal shape of a sale: log those at debug so the log stays readable;
    // every 5xx and every accepted order is logged by the handlers themselves with its uuid.
    // 503 is a dependency being waited out (or readiness saying so): worth a warning, not an error. Any other
    // 5xx is a bug.
    customLogLevel: (_req: IncomingMessage, res, err) => {
      if (res.statusCode === 503) return 'warn';
      return err || res.statusCode >= 500 ? 'error' : 'debug';
    },
    quietReqLogger: true,
    serializers: {
      req: (req: { method: string; url: string }) => ({ method: req.method, url: req.url }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  };
}

export function loggerParams(app: string, level: string): Params {
  return {
    // The root logger only: requests are logged by RequestLogging's Fastify hook, not by nestjs-pino's middleware
    // (no routes for it), which cost every request a trip through Nest's middleware matching.
    forRoutes: [],
    pinoHttp: pinoOptions(app, level),
  };
}

let processApp = 'seckill';

/** The app this process runs (set once by ObservabilityModule), for loggers made outside Nest's container. */
export function setProcessApp(app: string): void {
  processApp = app;
}

/**
 * For processes and tools outside Nest's container (migrations, seeding), and for library code that logs
 * connection events before or beside Nest's logger. `app` defaults to the process's app.
 */
export function createLogger(app: string = processApp, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino(pinoOptions(app, level));
}
