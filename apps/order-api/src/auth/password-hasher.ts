import { Inject, Injectable } from '@nestjs/common';
import { hash, verify } from '@node-rs/argon2';
import { APP_CONFIG, type AppConfig } from '@seckill/config';
import { DomainError, ErrorCode } from '@seckill/contracts';
import { metrics } from '@seckill/observability';
import { BoundedPool } from './bounded-pool';

const BUSY = new DomainError(ErrorCode.TRY_AGAIN, 'too many logins and registrations at once; retry');

/**
 * argon2id (OWASP's first choice), hashed on libuv's thread pool so logins never block the event loop. Each hash
 * takes a core for tens of milliseconds, so at most PASSWORD_HASH_CONCURRENCY run at once and PASSWORD_HASH_QUEUE
 * wait; beyond that the answer is 503 TRY_AGAIN at once. A login flood thus gets a bounded share of the CPU and
 * of the thread pool, and never a growing backlog that would delay the order path (and every later login).
 */
@Injectable()
export class PasswordHasher {
  private readonly pool: BoundedPool;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.pool = new BoundedPool(config.PASSWORD_HASH_CONCURRENCY, config.PASSWORD_HASH_QUEUE);
  }

  /**
   * Throws 503 TRY_AGAIN when no hash could be taken now. A cheap early answer for a login under a flood, before
   * its database lookup; the hash itself is bounded again when it is asked for (the queue may fill meanwhile).
   */
  assertRoom(): void {
    if (this.pool.full) {
      metrics.passwordHashRefused.inc();
      throw BUSY;
    }
  }

  hash(password: string): Promise<string> {
    return this.bounded(() => hash(password, { memoryCost: this.config.PASSWORD_HASH_MEMORY_KIB, timeCost: 2, parallelism: 1 }));
  }

  verify(stored: string, password: string): Promise<boolean> {
    return this.bounded(() => verify(stored, password).catch(() => false));
  }

  private bounded<T>(work: () => Promise<T>): Promise<T> {
    const running = this.pool.tryRun(work);
    if (running) return running;
    metrics.passwordHashRefused.inc();
    return Promise.reject(BUSY);
  }
}
