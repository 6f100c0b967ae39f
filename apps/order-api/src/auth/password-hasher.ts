import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@seckill/config';
import { DomainError, ErrorCode } from '@seckill/contracts';
import { metrics } from '@seckill/observability';
import { BoundedPool } from '../concurrency/bounded-pool';
import { HashWorkers } from './hash-workers';

const BUSY = new DomainError(ErrorCode.TRY_AGAIN, 'too many logins and registrations at once; retry');

/**
 * argon2id (OWASP's first choice). Each hash takes a core for tens of milliseconds, so it runs on a thread of its
 * own at the lowest CPU priority (hash-worker.ts), not on libuv's pool, which the event loop's own I/O shares and
 * whose threads compete with the event loop as equals: measured with the bench's login flood, hashes on the pool
 * multiplied the order p99 (docs/security.md). At most PASSWORD_HASH_CONCURRENCY run at once and PASSWORD_HASH_QUEUE
 * wait; beyond that the answer is 503 TRY_AGAIN at once, so a flood never builds a backlog that every later login
 * would wait behind.
 */
@Injectable()
export class PasswordHasher implements OnApplicationShutdown {
  private readonly pool: BoundedPool;
  private readonly workers: HashWorkers;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.pool = new BoundedPool(config.PASSWORD_HASH_CONCURRENCY, config.PASSWORD_HASH_QUEUE);
    this.workers = new HashWorkers(config.PASSWORD_HASH_CONCURRENCY);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.workers.close();
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
    return this.bounded(() => this.workers.run({ op: 'hash', password, memoryCost: this.config.PASSWORD_HASH_MEMORY_KIB }) as Promise<string>);
  }

  verify(stored: string, password: string): Promise<boolean> {
    return this.bounded(() => this.workers.run({ op: 'verify', stored, password }) as Promise<boolean>);
  }

  private bounded<T>(work: () => Promise<T>): Promise<T> {
    const running = this.pool.tryRun(work);
    if (running) return running;
    metrics.passwordHashRefused.inc();
    return Promise.reject(BUSY);
  }
}
