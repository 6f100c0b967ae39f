import type { AppConfig } from '@seckill/config';
import { SharedLimit, type LimiterFactory, type LimitLogger } from './shared-limit';

type LimitsConfig = Pick<
  AppConfig,
  | 'RATE_LIMITS'
  | 'LOGIN_LIMIT_PER_USERNAME_PER_MINUTE'
  | 'LOGIN_LIMIT_PER_IP_PER_MINUTE'
  | 'REGISTER_LIMIT_PER_IP_PER_HOUR'
  | 'ORDER_RATE_LIMIT_PER_SECOND'
  | 'ORDER_RATE_LIMIT_PER_IP_PER_SECOND'
>;

/**
 * The request limits of order-api (docs/security.md, Limits), counted in Redis so they hold across all instances.
 * Each check throws RateLimitedError (429 with Retry-After) beyond its limit; with RATE_LIMITS=off every check passes
 * without touching anything.
 */
export class RequestLimits {
  private readonly limits?: {
    loginUsername: SharedLimit;
    loginIp: SharedLimit;
    registerIp: SharedLimit;
    orderUser: SharedLimit;
    orderIp: SharedLimit;
  };

  constructor(config: LimitsConfig, factory: LimiterFactory, logger: LimitLogger) {
    if (config.RATE_LIMITS === 'off') return;
    const limit = (name: string, points: number, durationSeconds: number, message: string) => {
      const rule = { name, points, durationSeconds, message };
      return new SharedLimit(rule, factory(rule), logger);
    };
    this.limits = {
      loginUsername: limit('login_username', config.LOGIN_LIMIT_PER_USERNAME_PER_MINUTE, 60, 'too many login attempts for this username; wait'),
      loginIp: limit('login_ip', config.LOGIN_LIMIT_PER_IP_PER_MINUTE, 60, 'too many login attempts from this address; wait'),
      registerIp: limit('register_ip', config.REGISTER_LIMIT_PER_IP_PER_HOUR, 3600, 'too many registrations from this address; wait'),
      orderUser: limit('order_user', config.ORDER_RATE_LIMIT_PER_SECOND, 1, 'too many order requests; slow down'),
      orderIp: limit('order_ip', config.ORDER_RATE_LIMIT_PER_IP_PER_SECOND, 1, 'too many order requests from this address; slow down'),
    };
  }

  get enabled(): boolean {
    return this.limits !== undefined;
  }

  /** Before the password is hashed: a refused attempt costs no argon2 work. Both limits count every attempt. */
  async login(username: string, clientIp: string): Promise<void> {
    if (!this.limits) return;
    await Promise.all([this.limits.loginIp.take(clientIp), this.limits.loginUsername.take(username)]);
  }

  async register(clientIp: string): Promise<void> {
    if (!this.limits) return;
    await this.limits.registerIp.take(clientIp);
  }

  async order(userId: number, clientIp: string): Promise<void> {
    if (!this.limits) return;
    await Promise.all([this.limits.orderUser.take(String(userId)), this.limits.orderIp.take(clientIp)]);
  }
}
