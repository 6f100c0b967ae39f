import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppConfig } from '@seckill/config';

/**
 * Routes for operators, not shoppers: Prometheus metrics and the API documentation (Swagger UI, its assets and
 * the OpenAPI document). Matched against the route that Fastify found, not the raw URL, so no spelling of the
 * path (percent-encoding, a query string) slips past.
 */
const PRIVATE_ROUTE = /^\/(?:metrics|docs)(?:$|\/|-json$|-yaml$)/;

export function isPrivateRoute(routeUrl: string | undefined): boolean {
  return routeUrl !== undefined && PRIVATE_ROUTE.test(routeUrl);
}

export type PrivatePathsMode = 'public-port' | 'private-port' | 'nowhere';

/**
 * Where /metrics and /docs are answered: on the app's own port only in development without METRICS_PORT; with
 * METRICS_PORT only there; in production without METRICS_PORT nowhere (never on the public port).
 */
export function privatePathsMode(config: Pick<AppConfig, 'NODE_ENV' | 'METRICS_PORT'>): PrivatePathsMode {
  if (config.METRICS_PORT !== undefined) return 'private-port';
  return config.NODE_ENV === 'production' ? 'nowhere' : 'public-port';
}

export interface PrivatePort {
  readonly mode: PrivatePathsMode;
  /** Starts the private listener (call once the app is initialised); resolves with its address, if any. */
  listen(): Promise<AddressInfo | undefined>;
}

/**
 * Splits one Fastify app over two listeners. The second one (METRICS_HOST:METRICS_PORT, meant for a private
 * interface) hands its requests to the same Fastify router, so /metrics and the Swagger UI work there exactly as
 * they did on the app's port; an onRequest hook then answers the app's ordinary 404 wherever a route does not
 * belong: operator routes on the public port, everything else on the private one. Install before the app is
 * initialised (the hook must precede the routes).
 */
export function installPrivatePort(fastify: FastifyInstance, config: Pick<AppConfig, 'NODE_ENV' | 'METRICS_PORT' | 'METRICS_HOST'>): PrivatePort {
  const mode = privatePathsMode(config);
  const viaPrivatePort = new WeakSet<IncomingMessage>();
  let server: Server | undefined;
  if (mode !== 'public-port') {
    fastify.addHook('onRequest', (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
      if (isPrivateRoute(req.routeOptions.url) === viaPrivatePort.has(req.raw)) {
        done();
        return;
      }
      reply.callNotFound();
    });
    fastify.addHook('onClose', (_instance, done) => {
      if (!server) return done();
      server.close(() => done());
      server.closeAllConnections();
    });
  }
  return {
    mode,
    async listen() {
      if (mode !== 'private-port' || config.METRICS_PORT === undefined) return undefined;
      const s = createServer((req, res) => {
        viaPrivatePort.add(req);
        fastify.routing(req, res);
      });
      server = s;
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(config.METRICS_PORT, config.METRICS_HOST, () => {
          s.off('error', reject);
          resolve();
        });
      });
      return s.address() as AddressInfo;
    },
  };
}

/** Starts the private listener and says in the log where the operator routes are (or that they are off). */
export async function listenPrivately(logger: { log(message: string): void; warn(message: string): void }, port: PrivatePort): Promise<void> {
  const address = await port.listen();
  if (address) logger.log(`metrics and docs on http://${address.address}:${address.port} only (METRICS_PORT)`);
  else if (port.mode === 'nowhere') logger.warn('METRICS_PORT is unset: /metrics and /docs are not served (production never serves them on the public port)');
}
