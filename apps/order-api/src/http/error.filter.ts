import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import { DomainError, ErrorCode, type ErrorBody } from '@seckill/contracts';
import { codeOfHttpStatus, statusOf } from './error-mapping';

/** Fastify's own errors (body parsing, limits) carry a statusCode and a FST_ code. */
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

/** Every error leaves as `{statusCode, code, message}`; anything unexpected is logged and becomes a 500 INTERNAL. */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  constructor(private readonly logger: PinoLogger) {
    logger.setContext('ErrorFilter');
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const req = host.switchToHttp().getRequest<FastifyRequest>();
    const body = this.toBody(exception);
    if (body.statusCode >= 500 && body.code !== ErrorCode.TRY_AGAIN) {
      this.logger.error({ err: exception, method: req.method, url: req.url }, 'unhandled error');
    }
    void reply.status(body.statusCode).header('content-type', 'application/json; charset=utf-8').send(body);
  }

  private toBody(e: unknown): ErrorBody {
    if (e instanceof DomainError) {
      return { statusCode: statusOf(e.code), code: e.code, message: e.message, ...(e.details !== undefined ? { details: e.details } : {}) };
    }
    if (e instanceof HttpException) {
      const status = e.getStatus();
      const code = codeOfHttpStatus(status);
      const message = status === 404 ? 'no such route' : e.message;
      return { statusCode: statusOf(code), code, message };
    }
    const fe = (typeof e === 'object' && e !== null ? e : {}) as FrameworkError;
    if (fe.code && FASTIFY_CLIENT_ERRORS[fe.code]) {
      const code = FASTIFY_CLIENT_ERRORS[fe.code]!;
      return { statusCode: statusOf(code), code, message: fe.message ?? code };
    }
    if (e instanceof SyntaxError || fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
      return { statusCode: 400, code: ErrorCode.VALIDATION_FAILED, message: 'request body is not valid JSON' };
    }
    if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
      const code = codeOfHttpStatus(fe.statusCode);
      return { statusCode: statusOf(code), code, message: fe.message ?? code };
    }
    return { statusCode: 500, code: ErrorCode.INTERNAL, message: 'internal error' };
  }
}
