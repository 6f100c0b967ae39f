import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { metrics } from '@seckill/observability';
import { RateLimitedError } from './rate-limited.error';

/** One limit: at most `points` requests per key in each window of `durationSeconds`. */
export interface LimitRule {
  /** Names the limit in keys, metrics and logs (login_username, order_ip, …). */
  name: string;
  points: number;
  durationSeconds: number;
  /** The message of the 429. */
  message: string;
}

/** Builds the store a rule counts in: Redis in the product (shared by every instance), memory in svc tests. */
export type LimiterFactory = (rule: LimitRule) => RateLimiterAbstract;

export interface LimitLogger {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

/**
 * A rule counted in the shared store. When the store does not answer (Redis down or reconnecting), the request is
 * counted in this instance's memory instead of failing: the limit still holds per instance, the shopper gets no
 * 500, and the outage is logged once and counted in seckill_limit_store_errors_total. Failing closed (503) would turn
 * a Redis blip into refused logins although login does not need Redis at all; the order path, which does, answers
 * 503 at its reservation anyway.
 */
export class SharedLimit {
  private readonly fallback: RateLimiterMemory;
  private storeDown = false;

  constructor(
    readonly rule: LimitRule,
    private readonly store: RateLimiterAbstract,
    private readonly logger: LimitLogger,
  ) {
    this.fallback = new RateLimiterMemory({ keyPrefix: rule.name, points: rule.points, duration: rule.durationSeconds });
  }

  /** Counts one request for `key`; throws RateLimitedError beyond the rule. */
  async take(key: string): Promise<void> {
    try {
      await this.store.consume(key);
      if (this.storeDown) {
        this.storeDown = false;
        this.logger.info({ limit: this.rule.name }, 'request limit counted in Redis again');
      }
      return;
    } catch (e) {
      if (e instanceof RateLimiterRes) throw this.refuse(e);
      metrics.limitStoreErrors.inc({ limit: this.rule.name });
      if (!this.storeDown) {
        this.storeDown = true;
        this.logger.warn({ err: e, limit: this.rule.name }, 'request limit store unreachable; counting on this instance only');
      }
    }
    try {
      await this.fallback.consume(key);
    } catch (e) {
      if (e instanceof RateLimiterRes) throw this.refuse(e);
      throw e;
    }
  }

  private refuse(res: RateLimiterRes): RateLimitedError {
    metrics.rateLimited.inc({ limit: this.rule.name });
    return new RateLimitedError(this.rule.message, Math.max(1, Math.ceil(res.msBeforeNext / 1000)));
  }
}
