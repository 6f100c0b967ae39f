import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { PinoLogger } from 'nestjs-pino';
import type { Repository } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '@seckill/config';
import { DomainError, ErrorCode } from '@seckill/contracts';
import { UserEntity } from '@seckill/persistence';
import { PasswordHasher } from './password-hasher';
import { TokenService, type IssuedToken } from '@seckill/auth';

const UNIQUE_VIOLATION = '23505';

@Injectable()
export class AuthService implements OnApplicationBootstrap {
  /** Verified against when the username is unknown, so response time does not reveal which names exist. */
  private dummyHash?: Promise<string>;

  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly hasher: PasswordHasher,
    private readonly tokens: TokenService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext('AuthService');
  }

  /** The admin account comes from configuration; created once, never overwritten. */
  async onApplicationBootstrap(): Promise<void> {
    const passwordHash = await this.hasher.hash(this.config.ADMIN_PASSWORD);
    const result = await this.users
      .createQueryBuilder()
      .insert()
      .values({ username: this.config.ADMIN_USERNAME, passwordHash, role: 'admin' })
      .orIgnore()
      .execute();
    if (result.identifiers.length > 0 && result.identifiers[0]) this.logger.info({ username: this.config.ADMIN_USERNAME }, 'admin user created');
  }

  async register(username: string, password: string): Promise<{ id: number; username: string }> {
    const passwordHash = await this.hasher.hash(password);
    try {
      const saved = await this.users.save(this.users.create({ username, passwordHash, role: 'shopper' }));
      return { id: Number(saved.id), username: saved.username };
    } catch (err) {
      if ((err as { code?: string }).code === UNIQUE_VIOLATION) {
        throw new DomainError(ErrorCode.USERNAME_TAKEN, `username "${username}" is taken`);
      }
      throw err;
    }
  }

  async login(username: string, password: string): Promise<IssuedToken> {
    const user = await this.users.findOne({ where: { username } });
    if (!user) {
      this.dummyHash ??= this.hasher.hash('not-a-real-password');
      await this.hasher.verify(await this.dummyHash, password);
      throw new DomainError(ErrorCode.INVALID_CREDENTIALS, 'wrong username or password');
    }
    if (!(await this.hasher.verify(user.passwordHash, password))) {
      throw new DomainError(ErrorCode.INVALID_CREDENTIALS, 'wrong username or password');
    }
    return this.tokens.issue({ id: Number(user.id), username: user.username, role: user.role });
  }
}
