import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import { ErrorCode } from '@seckill/contracts';
import { errorBodyOf } from './error-body';
import { sendError } from './error-reply';

/**
 * Every error leaves as `{statusCode, code, message}` (errorBodyOf). A 503 or 429 carries `Retry-After`. A
 * dependency fault is logged at warn (it is waited out); anything unexplained is a bug, logged at error as 500.
 */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  constructor(private readonly logger: PinoLogger) {
    logger.setContext('ErrorFilter');
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const req = host.switchToHttp().getRequest<FastifyRequest>();
    const mapped = errorBodyOf(exception);
    const { body, dependency } = mapped;
    if (dependency) this.logger.warn({ err: exception, dependency, method: req.method, url: req.url }, 'dependency unavailable: answered 503 TRY_AGAIN');
    else if (body.statusCode >= 500 && body.code !== ErrorCode.TRY_AGAIN) this.logger.error({ err: exception, method: req.method, url: req.url }, 'unhandled error');
    sendError(reply, mapped);
  }
}
