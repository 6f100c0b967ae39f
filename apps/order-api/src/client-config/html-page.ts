import type { FastifyReply } from 'fastify';
import { DomainError, ErrorCode } from '@seckill/contracts';
import { PAGE_CACHE_CONTROL } from './page-files';

/** Scripts and styles from this origin only; `connectSrc` adds where the page may open sockets or fetch. */
export function pageCsp(connectSrc: string): string {
  return [
    "default-src 'self'",
    `connect-src ${connectSrc}`,
    "img-src 'self' data:",
    "style-src 'self'",
    "script-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Sends a page's HTML with the headers every page carries. */
export function sendPage(reply: FastifyReply, html: string | null, csp: string, extra: Record<string, string> = {}): void {
  // A build without the page answers like any unknown route.
  if (html === null) throw new DomainError(ErrorCode.NOT_FOUND, 'no such route');
  void reply
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', PAGE_CACHE_CONTROL)
    .header('content-security-policy', csp)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .headers(extra)
    .send(html);
}
