import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { APP_CONFIG, type AppConfig } from '@seckill/config';
import { DomainError, ErrorCode, type Registered } from '@seckill/contracts';
import { UserRepository } from '@seckill/persistence';
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

  async register(username: string, password: string): Promise<Registered> {
    const passwordHash = await this.hasher.hash(password);
    const saved = await this.users.createShopper(username, passwordHash);
    if (saved === 'taken') throw new DomainError(ErrorCode.USERNAME_TAKEN, `username "${username}" is taken`);
    return { id: saved.id, username: saved.username };
  }

  async login(username: string, password: string): Promise<IssuedToken> {
    const user = await this.users.findByUsername(username);
    if (!user) {
      this.dummyHash ??= this.hasher.hash('not-a-real-password');
      await this.hasher.verify(await this.dummyHash, password);
      throw new DomainError(ErrorCode.INVALID_CREDENTIALS, 'wrong username or password');
    }
    if (!(await this.hasher.verify(user.passwordHash, password))) {
      throw new DomainError(ErrorCode.INVALID_CREDENTIALS, 'wrong username or password');
    }
    return this.tokens.issue({ id: user.id, username: user.username, role: user.role });
  }
}
