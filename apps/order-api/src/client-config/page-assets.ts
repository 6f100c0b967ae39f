import { existsSync } from 'node:fs';
import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ASSET_DIRS, PAGE_CACHE_CONTROL } from './page-files';

const SERVED = /\.(js|css|svg|png|ico)$/;

/**
 * Serves every page's scripts and styles under its prefix (/shop/, /ops/, and /web-common/ for the modules and the
 * base stylesheet they share). `wildcard: false` registers one route per file found at start instead of a
 * catch-all, so every other path (and a missing asset) still reaches the JSON 404 handler; `decorateReply: false`
 * because Swagger's own registration already decorates the reply.
 */
export async function registerPageAssets(app: NestFastifyApplication): Promise<void> {
  for (const assets of ASSET_DIRS) {
    // A build without a page's browser code must still start; its routes then answer the JSON 404.
    if (!existsSync(assets.dir)) continue;
    await app.register(fastifyStatic, {
      root: assets.dir,
      prefix: assets.assetPrefix,
      wildcard: false,
      decorateReply: false,
      index: false,
      globIgnore: ['**/*.json', '**/*.ts', '**/*.map'],
      allowedPath: (path) => SERVED.test(path),
      cacheControl: false,
      setHeaders: (reply) => {
        void reply.header('cache-control', PAGE_CACHE_CONTROL).header('x-content-type-options', 'nosniff');
      },
    });
  }
}
