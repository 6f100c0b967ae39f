import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * Helmet's headers, computed once. @fastify/helmet calls `helmet(options)` on every request, which rebuilds all
 * of helmet's middlewares and its Content-Security-Policy string each time: ~10 % of order-api's CPU under the
 * sold-out flood (docs/benchmarks.md, issue 13). Without per-request nonces helmet's output does not depend on
 * the request, so it is taken once from helmet itself, against a response that only records, and applied to
 * every reply as one object.
 */
export function securityHeaders(options?: Readonly<HelmetOptions>): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: number | string | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
    getHeader(name: string) {
      return headers[name.toLowerCase()];
    },
  };
  let failure: unknown;
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (err?: unknown) => {
    failure = err;
  });
  if (failure) throw failure;
  return Object.freeze(headers);
}

/**
 * Security headers on every response. Helmet's default CSP ('self' scripts, inline styles) is what the Swagger UI
 * needs; the shop and ops pages send their own stricter one (client-config/html-page.ts), which replaces it.
 */
export function installSecurityHeaders(fastify: FastifyInstance, options?: Readonly<HelmetOptions>): void {
  const headers = securityHeaders(options);
  fastify.addHook('onRequest', (_req, reply, done) => {
    void reply.headers(headers);
    done();
  });
}
