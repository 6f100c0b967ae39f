import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import { APP_CONFIG, type AppConfig } from '@seckill/config';
import { ErrorCode, type ErrorBody } from '@seckill/contracts';
import { RETRY_AFTER_SECONDS } from './error-mapping';

const counted = Symbol('counted');

/**
 * Graceful stop (SIGTERM). From the moment shutdown begins, new requests are answered 503 TRY_AGAIN with
 * `Connection: close` (the client retries on another instance; the same requestId lands on the same order),
 * while the requests already in flight — reservations waiting for their publish confirm among them — are
 * finished; only then does Nest close the server, the broker channel and Redis. Bounded by SHUTDOWN_GRACE_MS:
 * what is still unfinished then is left to the stranded-reservation sweeper.
 */
@Injectable()
export class ShutdownGate implements BeforeApplicationShutdown {
  private draining = false;
  private inFlight = 0;
  private idle?: () => void;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext('ShutdownGate');
  }

  install(fastify: FastifyInstance): void {
    fastify.addHook('onRequest', (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
      if (this.draining) {
        const body: ErrorBody = { statusCode: 503, code: ErrorCode.TRY_AGAIN, message: 'this instance is shutting down; retry' };
        void reply.status(503).header('retry-after', String(RETRY_AFTER_SECONDS)).header('connection', 'close').send(body);
        return;
      }
      (req as FastifyRequest & { [counted]?: boolean })[counted] = true;
      this.inFlight++;
      done();
    });
    const finished = (req: FastifyRequest) => {
      const r = req as FastifyRequest & { [counted]?: boolean };
      if (!r[counted]) return;
      r[counted] = false;
      this.inFlight--;
      if (this.inFlight === 0) this.idle?.();
    };
    fastify.addHook('onResponse', (req: FastifyRequest, _reply: FastifyReply, done: () => void) => {
      finished(req);
      done();
    });
    fastify.addHook('onRequestAbort', (req: FastifyRequest, done: () => void) => {
      finished(req);
      done();
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.draining = true;
    if (this.inFlight === 0) return;
    const started = Date.now();
    this.logger.info({ inFlight: this.inFlight }, 'shutting down: finishing the requests in flight');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => (this.idle = resolve)),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, this.config.SHUTDOWN_GRACE_MS))),
    ]);
    clearTimeout(timer);
    this.logger.info({ left: this.inFlight, ms: Date.now() - started }, 'requests in flight finished');
  }
}
