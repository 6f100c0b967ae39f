import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { APP_CONFIG, type AppConfig } from '@seckill/config';
import { DomainError, ErrorCode } from '@seckill/contracts';
import type { AuthUser, TokenClaims } from './auth-user';

/** HS256 tokens. The notifier verifies the same tokens with the same secret at the WebSocket handshake. */
@Injectable()
export class TokenService {
  constructor(
    private readonly jwt: JwtService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  issue(user: AuthUser): { accessToken: string; tokenType: 'Bearer'; expiresIn: number } {
    const claims: TokenClaims = { sub: String(user.id), username: user.username, role: user.role };
    const expiresIn = this.config.JWT_EXPIRES_IN_SECONDS;
    return { accessToken: this.jwt.sign(claims, { expiresIn, algorithm: 'HS256' }), tokenType: 'Bearer', expiresIn };
  }

  verify(token: string): AuthUser {
    let claims: TokenClaims;
    try {
      claims = this.jwt.verify<TokenClaims>(token, { algorithms: ['HS256'] });
    } catch {
      throw new DomainError(ErrorCode.UNAUTHORIZED, 'invalid or expired token');
    }
    const id = Number(claims.sub);
    if (!Number.isSafeInteger(id) || id <= 0 || (claims.role !== 'admin' && claims.role !== 'shopper')) {
      throw new DomainError(ErrorCode.UNAUTHORIZED, 'invalid token claims');
    }
    return { id, username: claims.username, role: claims.role };
  }
}
