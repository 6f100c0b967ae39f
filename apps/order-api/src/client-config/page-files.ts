import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A browser page order-api serves: its HTML at `route`, its compiled scripts and styles under `assetPrefix`. */
export interface PageFiles {
  route: string;
  assetPrefix: string;
  /** Relative to this file in dist/, so it holds wherever the build is deployed. */
  dir: string;
}

/** scripts/build.mjs compiles each page's *.ts with its own browser tsconfig and copies the .html/.css next to them. */
export const SHOP_PAGE: PageFiles = { route: '/', assetPrefix: '/shop/', dir: join(__dirname, '..', 'shop') };
export const OPS_PAGE: PageFiles = { route: '/ops', assetPrefix: '/ops/', dir: join(__dirname, '..', 'ops') };
export const PAGES: readonly PageFiles[] = [SHOP_PAGE, OPS_PAGE];

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
