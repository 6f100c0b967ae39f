import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { APP_CONFIG, type AppConfig } from '@seckill/config';
import { DomainError, ErrorCode, type Registered } from '@seckill/contracts';
import { UserRepository } from '@seckill/persistence';
import { RequestLimits } from '../limits/request-limits';
import { PasswordHasher } from './password-hasher';
import { TokenService, type IssuedToken } from '@seckill/auth';

@Injectable()
export class AuthService implements OnApplicationBootstrap {
  /** Verified against when the username is unknown, so response time does not reveal which names exist. */
  private dummyHash?: Promise<string>;

  constructor(
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
    private readonly tokens: TokenService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly logger: PinoLogger,
    private readonly limits: RequestLimits,
  ) {
    logger.setContext('AuthService');
  }

  /**
   * The admin account comes from configuration, and its password is re-applied at every start: a password
   * changed in the configuration takes effect, and an admin/admin row from development never outlives it.
   */
  async onApplicationBootstrap(): Promise<void> {
    const username = this.config.ADMIN_USERNAME;
    const passwordHash = await this.hasher.hash(this.config.ADMIN_PASSWORD);
    const applied = await this.users.applyAdmin(username, passwordHash);
    if (applied === 'name-taken') {
      this.logger.error({ username }, 'ADMIN_USERNAME belongs to a shopper: no admin account; choose another ADMIN_USERNAME');
    } else {
      this.logger.info({ username }, applied === 'created' ? 'admin user created' : 'admin password applied');
    }
  }

  /** Limits come first: a refused request costs no hashing. */
  async register(username: string, password: string, clientIp: string): Promise<Registered> {
    await this.limits.register(clientIp);
    this.hasher.assertRoom();
    const passwordHash = await this.hasher.hash(password);
    const saved = await this.users.createShopper(username, passwordHash);
    if (saved === 'taken') throw new DomainError(ErrorCode.USERNAME_TAKEN, `username "${username}" is taken`);
    return { id: saved.id, username: saved.username };
  }

  async login(username: string, password: string, clientIp: string): Promise<IssuedToken> {
    await this.limits.login(username, clientIp);
    // Under a login flood the hashing queue is full: answer 503 now rather than after a database lookup.
    this.hasher.assertRoom();
    const user = await this.users.findByUsername(username);
    if (!user) {
      await this.hasher.verify(await this.dummy(), password);
      throw new DomainError(ErrorCode.INVALID_CREDENTIALS, 'wrong username or password');
    }
    if (!(await this.hasher.verify(user.passwordHash, password))) {
      throw new DomainError(ErrorCode.INVALID_CREDENTIALS, 'wrong username or password');
    }
    return this.tokens.issue({ id: user.id, username: user.username, role: user.role });
  }

  /** Made once; a failed attempt (the hashing queue was full) is not kept, the next unknown username tries again. */
  private dummy(): Promise<string> {
    this.dummyHash ??= this.hasher.hash('not-a-real-password').catch((err: unknown) => {
      this.dummyHash = undefined;
      throw err;
    });
    return this.dummyHash;
  }
}
