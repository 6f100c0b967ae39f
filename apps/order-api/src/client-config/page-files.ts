import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A folder of compiled browser scripts and styles that order-api serves under `assetPrefix`. */
export interface AssetDir {
  assetPrefix: string;
  /** Relative to this file in dist/, so it holds wherever the build is deployed. */
  dir: string;
}

/** A browser page order-api serves: its HTML at `route`, its scripts and styles under `assetPrefix`. */
export interface PageFiles extends AssetDir {
  route: string;
}

/**
 * The pages live in the web project (web/); scripts/build.mjs compiles them into dist/web/src/ and copies
 * the .html/.css/.svg next to them. From dist/apps/order-api/src/client-config/ that is ../../../../web/src/.
 */
const WEB_BUILD = join(__dirname, '..', '..', '..', '..', 'web', 'src');
export const SHOP_PAGE: PageFiles = { route: '/', assetPrefix: '/shop/', dir: join(WEB_BUILD, 'shop') };
export const OPS_PAGE: PageFiles = { route: '/ops', assetPrefix: '/ops/', dir: join(WEB_BUILD, 'ops') };
export const PAGES: readonly PageFiles[] = [SHOP_PAGE, OPS_PAGE];
/**
 * The modules and the base stylesheet both pages load. Its folder keeps the name of its URL prefix: the pages'
 * relative imports (`../web-common/…` from /shop/ and /ops/) are resolved by the browser against these URLs.
 */
export const WEB_COMMON: AssetDir = { assetPrefix: '/web-common/', dir: join(WEB_BUILD, 'web-common') };
export const ASSET_DIRS: readonly AssetDir[] = [...PAGES, WEB_COMMON];

/** Asset names are not content-hashed: browsers must revalidate (ETag / Last-Modified) so a deploy shows at once. */
export const PAGE_CACHE_CONTROL = 'no-cache';

/** The page's index.html, or null when this build has no such page (e.g. only the Node code was compiled). */
export function readPageHtml(page: PageFiles): string | null {
  try {
    return readFileSync(join(page.dir, 'index.html'), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}
