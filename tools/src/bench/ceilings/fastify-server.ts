import { dirname } from 'node:path';

/**
 * The bare-Fastify ceiling's server, run as its own process by ceilings/fastify.ts: the Fastify that
 * @nestjs/platform-fastify itself loads (resolved from that package, so the versions cannot drift), no plugins,
 * no logger, one route answering every order POST with the same small JSON 409 order-api sends for a
 * sold-out item. Its JSON body is parsed like order-api's. Usage: node fastify-server.js PORT
 */
type FastifyFactory = typeof import('fastify').default;

const fastifyPath = require.resolve('fastify', { paths: [dirname(require.resolve('@nestjs/platform-fastify'))] });
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fastify = require(fastifyPath) as FastifyFactory;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const version = (require(fastifyPath.replace(/fastify\.js$/, 'package.json')) as { version: string }).version;

const SOLD_OUT = JSON.stringify({ statusCode: 409, code: 'SOLD_OUT', message: 'sold out' });

async function main(): Promise<void> {
  const port = Number(process.argv[2]);
  const app = fastify({ logger: false });
  app.post('/api/seckill/orders', async (_req, reply) => {
    void reply.code(409).header('content-type', 'application/json; charset=utf-8');
    return SOLD_OUT;
  });
  app.get('/health', async () => ({ status: 'ok', fastify: version }));
  await app.listen({ port, host: '127.0.0.1' });
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
