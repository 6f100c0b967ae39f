import type { FastifyReply } from 'fastify';
import type { MappedError } from './error-body';

/**
 * Writes a mapped error (errorBodyOf) as the contract's answer: status, JSON body, `Retry-After` on 503 and 429.
 * Shared by the exception filter and the order fast lane, so an error leaves the same way whichever path met it.
 */
export function sendError(reply: FastifyReply, { body, retryAfterSeconds }: MappedError): void {
  if (retryAfterSeconds !== undefined) void reply.header('retry-after', String(retryAfterSeconds));
  void reply.status(body.statusCode).header('content-type', 'application/json; charset=utf-8').send(body);
}
