import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { SHOP_CACHE_CONTROL, SHOP_DIR } from './shop-files';

const SERVED = /\.(js|css|svg|png|ico)$/;

/**
 * Serves the page's scripts and styles under /shop/. `wildcard: false` registers one route per file found at
 * start instead of a catch-all, so every other path (and a missing asset) still reaches the JSON 404 handler;
 * `decorateReply: false` because Swagger's own registration already decorates the reply.
 */
export async function registerShopAssets(app: NestFastifyApplication): Promise<void> {
  await app.register(fastifyStatic, {
    root: SHOP_DIR,
    prefix: '/shop/',
    wildcard: false,
    decorateReply: false,
    index: false,
    globIgnore: ['**/*.json', '**/*.ts', '**/*.map'],
    allowedPath: (path) => SERVED.test(path),
    cacheControl: false,
    setHeaders: (reply) => {
      void reply.header('cache-control', SHOP_CACHE_CONTROL).header('x-content-type-options', 'nosniff');
    },
  });
}
