import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import { APP_CONFIG, type AppConfig } from '@seckill/config';
import { ErrorCode, type ErrorBody } from '@seckill/contracts';
import { RETRY_AFTER_SECONDS } from './error-mapping';

const counted = Symbol('counted');

/**
 * Graceful stop (SIGTERM). From the moment shutdown begins every new request is answered 503 TRY_AGAIN with
 * `Connection: close` (the client retries on another instance; the same requestId lands on the same order),
 * while the requests already in flight — reservations waiting for their publish confirm among them — are
 * finished. The server then keeps listening a moment longer: requests already written into a connection, or a
 * connection still in the listen backlog, get that 503 too instead of the reset a closing listener or an idle
 * keep-alive connection closed under a client's feet would give them. Only then does Nest close the server, the
 * broker channel and Redis. Bounded by SHUTDOWN_GRACE_MS: what is still unfinished then is left to the
 * stranded-reservation sweeper.
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
    const started = Date.now();
    const deadline = started + this.config.SHUTDOWN_GRACE_MS;
    if (this.inFlight > 0) {
      this.logger.info({ inFlight: this.inFlight }, 'shutting down: finishing the requests in flight');
      await Promise.race([new Promise<void>((resolve) => (this.idle = resolve)), sleep(deadline - Date.now())]);
    }
    await sleep(Math.min(LINGER_MS, deadline - Date.now()));
    this.logger.info({ left: this.inFlight, ms: Date.now() - started }, 'requests in flight finished; closing');
  }
}

/** How long the server still answers (503) after the requests in flight are done, before it closes. */
const LINGER_MS = 1000;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
