import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { pageCsp, sendPage } from './html-page';
import { OPS_PAGE, readPageHtml } from './page-files';

/**
 * The operations console at `/ops`; its scripts and styles are served under /ops/ (see registerPageAssets).
 * The page itself is public (it holds no data); everything it shows comes from the admin-only ops API.
 */
@ApiExcludeController()
@Controller()
export class OpsPageController {
  private readonly html = readPageHtml(OPS_PAGE);
  // Only this origin: the console polls the API and opens no sockets.
  private readonly csp = pageCsp("'self'");

  @Get('ops')
  page(@Res() reply: FastifyReply): void {
    sendPage(reply, this.html, this.csp, { 'x-robots-tag': 'noindex' });
  }
}
