import { Inject, Injectable, RequestMethod, type OnModuleInit } from '@nestjs/common';
import type { RouteInfo } from '@nestjs/common/interfaces';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import { Store, storage } from 'nestjs-pino/storage';
import { pinoHttp, type Options } from 'pino-http';

export const REQUEST_LOGGING = Symbol('REQUEST_LOGGING');

export interface RequestLoggingOptions {
  httpOptions: Options;
  unloggedRoutes: readonly RouteInfo[];
}

/**
 * pino-http on every request but the unlogged routes, as a Fastify onRequest hook instead of nestjs-pino's Nest
 * middleware. The middleware ran through @fastify/middie and Nest's per-request path and exclusion matching even
 * for an excluded route: ~20 % of order-api's CPU under the sold-out flood (issue 13, docs/benchmarks.md). Here an
 * excluded route costs one Set lookup. Handlers' PinoLogger still logs with the request's logger: the rest of the
 * request runs inside nestjs-pino's own AsyncLocalStorage scope, as its middleware would have opened it.
 */
@Injectable()
export class RequestLogging implements OnModuleInit {
  constructor(
    private readonly host: HttpAdapterHost,
    @Inject(REQUEST_LOGGING) private readonly options: RequestLoggingOptions,
  ) {}

  /** Before Fastify is ready, so the hook applies to every route (Fastify sets routes' hooks at preReady). */
  onModuleInit(): void {
    const fastify = this.host.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify) return;
    // One root logger: the one nestjs-pino made (LoggerModule.configure ran before any module's onModuleInit).
    const httpLogger = pinoHttp({ ...this.options.httpOptions, logger: PinoLogger.root });
    const unlogged = new Set(this.options.unloggedRoutes.map(routeKey));
    fastify.addHook('onRequest', (req, reply, done) => {
      if (unlogged.size > 0 && unlogged.has(`${req.method} ${req.routeOptions.url ?? ''}`)) return done();
      httpLogger(req.raw, reply.raw);
      storage.run(new Store(req.raw.log), done);
    });
  }
}

/** `POST /api/seckill/orders`, as Fastify names the route a request matched. */
function routeKey(route: RouteInfo): string {
  const path = route.path.startsWith('/') ? route.path : `/${route.path}`;
  return `${RequestMethod[route.method]} ${path}`;
}
