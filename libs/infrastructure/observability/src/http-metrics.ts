import type { FastifyInstance } from 'fastify';
import { metrics } from './metrics';

/** Counts every response by route pattern (not raw URL: ids would explode the label set) and status. */
export function registerHttpMetrics(fastify: FastifyInstance): void {
  fastify.addHook('onResponse', (req, reply, done) => {
    metrics.httpResponses.inc({ route: req.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) });
    done();
  });
}
