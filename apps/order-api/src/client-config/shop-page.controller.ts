import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { APP_CONFIG, type AppConfig } from '@seckill/config';
import { pageCsp, sendPage } from './html-page';
import { readPageHtml, SHOP_PAGE } from './page-files';

/** The shopper page at `/`; its scripts and styles are served under /shop/ (see registerPageAssets). */
@ApiExcludeController()
@Controller()
export class ShopPageController {
  private readonly html = readPageHtml(SHOP_PAGE);
  private readonly csp: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    // The page talks to this origin and to the notifier, whose host is only known in the browser when
    // NOTIFIER_PUBLIC_URL is unset (it is the page's own hostname there).
    const sockets = config.NOTIFIER_PUBLIC_URL ? new URL(config.NOTIFIER_PUBLIC_URL).origin : 'ws: wss:';
    this.csp = pageCsp(`'self' ${sockets}`);
  }

  @Get()
  page(@Res() reply: FastifyReply): void {
    sendPage(reply, this.html, this.csp);
  }
}
