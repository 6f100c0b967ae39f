import type { Socket } from 'node:net';
import { ErrorCode, type ErrorBody } from '@seckill/contracts';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { errorBodyOf } from './error-body';
import { statusOf } from './error-mapping';

/**
 * Errors Fastify's router answers before any route (and so before Nest's filter) runs: a malformed
 * percent-encoding (FST_ERR_BAD_URL), a path parameter over the router's length limit (FST_ERR_MAX_PARAM_LENGTH).
 * They get the contract's error body through the same mapping as every other error.
 */
export function frameworkErrors(error: FastifyError, _req: FastifyRequest, reply: FastifyReply): void {
  const { body } = errorBodyOf(error);
  void reply.code(body.statusCode).type('application/json; charset=utf-8').send(body);
}

/**
 * Errors of Node's HTTP parser (a request line or headers over 16 KiB, a malformed request): no request object
 * exists yet, so the answer is written on the socket, with the contract's body instead of Node's bare 431/400.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const code = ErrorCode.VALIDATION_FAILED;
  const body: ErrorBody = {
    statusCode: statusOf(code),
    code,
    message: error.code === 'HPE_HEADER_OVERFLOW' ? 'request line or headers too large' : 'malformed HTTP request',
  };
  const json = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${body.statusCode} Bad Request\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`,
  );
}
