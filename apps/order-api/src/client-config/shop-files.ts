import { join } from 'node:path';

/**
 * The compiled shopper page (scripts/build.mjs compiles shop/*.ts with their own browser tsconfig and copies
 * the .html/.css next to them). Relative to this file in dist/, so it holds wherever the build is deployed.
 */
export const SHOP_DIR = join(__dirname, '..', 'shop');

/** Asset names are not content-hashed: browsers must revalidate (ETag / Last-Modified) so a deploy shows at once. */
export const SHOP_CACHE_CONTROL = 'no-cache';
