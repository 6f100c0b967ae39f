import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { APP_CONFIG, type AppConfig } from '@seckill/config';
import { DomainError, ErrorCode } from '@seckill/contracts';
import { SHOP_CACHE_CONTROL, SHOP_DIR } from './shop-files';

/** The shopper page at `/`; its scripts and styles are served under /shop/ (see registerShopAssets). */
@ApiExcludeController()
@Controller()
export class ShopPageController {
  private readonly html: string | null;
  private readonly csp: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.html = readIndex();
    // The page talks to this origin and to the notifier, whose host is only known in the browser when
    // NOTIFIER_PUBLIC_URL is unset (it is the page's own hostname there).
    const sockets = config.NOTIFIER_PUBLIC_URL ? new URL(config.NOTIFIER_PUBLIC_URL).origin : 'ws: wss:';
    this.csp = [
      "default-src 'self'",
      `connect-src 'self' ${sockets}`,
      "img-src 'self' data:",
      "style-src 'self'",
      "script-src 'self'",
      "base-uri 'none'",
      "form-action 'self'",
      "frame-ancestors 'none'",
    ].join('; ');
  }

  @Get()
  page(@Res() reply: FastifyReply): void {
    // A build without the page (e.g. only the Node code compiled) answers like any unknown route.
    if (this.html === null) throw new DomainError(ErrorCode.NOT_FOUND, 'no such route');
    void reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', SHOP_CACHE_CONTROL)
      .header('content-security-policy', this.csp)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .send(this.html);
  }
}

function readIndex(): string | null {
  try {
    return readFileSync(join(SHOP_DIR, 'index.html'), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}
