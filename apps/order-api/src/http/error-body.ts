import { HttpException } from '@nestjs/common';
import { DomainError, ErrorCode, type ErrorBody } from '@seckill/contracts';
import { faultOrigin, type FaultOrigin } from '@seckill/observability';
import { RateLimitedError } from '../limits/rate-limited.error';
import { codeOfHttpStatus, RETRY_AFTER_SECONDS, statusOf } from './error-mapping';

/** Fastify's own errors (body parsing, limits, route schemas) carry a statusCode and a FST_ code. */
interface FrameworkError {
  statusCode?: number;
  code?: string;
  message?: string;
}

const FASTIFY_CLIENT_ERRORS: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: ErrorCode.PAYLOAD_TOO_LARGE,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ErrorCode.VALIDATION_FAILED,
  FST_ERR_CTP_EMPTY_JSON_BODY: ErrorCode.VALIDATION_FAILED,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ErrorCode.VALIDATION_FAILED,
};

export interface MappedError {
  body: ErrorBody;
  /** Set when the error was a dependency fault (logged at warn: waited out, not a bug). */
  dependency?: Exclude<FaultOrigin, null>;
  /** `Retry-After` in seconds: set on every 503 TRY_AGAIN and 429 RATE_LIMITED (a limit says when it lets in again). */
  retryAfterSeconds?: number;
}

/**
 * Every error as `{statusCode, code, message}`. A dependency that is down (PostgreSQL, Redis, RabbitMQ, by
 * the error's code or driver message) is `503 TRY_AGAIN`, whichever route met it; only an error nothing
 * explains is `500 INTERNAL`, and that is always a bug.
 */
export function errorBodyOf(e: unknown): MappedError {
  const mapped = bodyOf(e);
  const { code } = mapped.body;
  if (code === ErrorCode.RATE_LIMITED || code === ErrorCode.TRY_AGAIN) {
    mapped.retryAfterSeconds = e instanceof RateLimitedError ? e.retryAfterSeconds : RETRY_AFTER_SECONDS;
  }
  return mapped;
}

function bodyOf(e: unknown): MappedError {
  if (e instanceof DomainError) {
    return { body: { statusCode: statusOf(e.code), code: e.code, message: e.message, ...(e.details !== undefined ? { details: e.details } : {}) } };
  }
  if (e instanceof HttpException) {
    const status = e.getStatus();
    const code = codeOfHttpStatus(status);
    const message = status === 404 ? 'no such route' : e.message;
    return { body: { statusCode: statusOf(code), code, message } };
  }
  const fe = (typeof e === 'object' && e !== null ? e : {}) as FrameworkError;
  const fastifyCode = fe.code ? FASTIFY_CLIENT_ERRORS[fe.code] : undefined;
  if (fastifyCode) return { body: { statusCode: statusOf(fastifyCode), code: fastifyCode, message: fe.message ?? fastifyCode } };
  if (e instanceof SyntaxError || fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return { body: { statusCode: 400, code: ErrorCode.VALIDATION_FAILED, message: 'request body is not valid JSON' } };
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    const code = codeOfHttpStatus(fe.statusCode);
    return { body: { statusCode: statusOf(code), code, message: fe.message ?? code } };
  }
  const origin = faultOrigin(e);
  if (origin) {
    return { body: { statusCode: 503, code: ErrorCode.TRY_AGAIN, message: 'temporarily unavailable; retry' }, dependency: origin };
  }
  return { body: { statusCode: 500, code: ErrorCode.INTERNAL, message: 'internal error' } };
}
