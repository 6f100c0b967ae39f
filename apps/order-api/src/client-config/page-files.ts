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

/** scripts/build.mjs compiles each page's *.ts with its own browser tsconfig and copies the .html/.css next to them. */
export const SHOP_PAGE: PageFiles = { route: '/', assetPrefix: '/shop/', dir: join(__dirname, '..', 'shop') };
export const OPS_PAGE: PageFiles = { route: '/ops', assetPrefix: '/ops/', dir: join(__dirname, '..', 'ops') };
export const PAGES: readonly PageFiles[] = [SHOP_PAGE, OPS_PAGE];
/** The modules both pages import (`../web-common/…` from /shop/ and /ops/ resolves here). */
export const WEB_COMMON: AssetDir = { assetPrefix: '/web-common/', dir: join(__dirname, '..', 'web-common') };
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
