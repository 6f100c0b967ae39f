import { createSecretKey } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import { DomainError, ErrorCode } from '@seckill/contracts';
import type { AuthUser, TokenClaims } from './auth-user';

export interface IssuedToken {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

/**
 * HS256 access tokens, issued by order-api and verified by order-api and the notifier with the same secret.
 * The secret is held as a KeyObject: given a string, jsonwebtoken re-parses it (trying it as a PEM public key
 * first) on every verify, which cost ~1 ms per request in the profile.
 */
export class TokenService {
  private readonly jwt: JwtService;

  constructor(
    secret: string,
    private readonly expiresInSeconds: number,
  ) {
    this.jwt = new JwtService({ secret: createSecretKey(Buffer.from(secret)) });
  }

  issue(user: AuthUser): IssuedToken {
    const claims: TokenClaims = { sub: String(user.id), username: user.username, role: user.role };
    return {
      accessToken: this.jwt.sign(claims, { expiresIn: this.expiresInSeconds, algorithm: 'HS256' }),
      tokenType: 'Bearer',
      expiresIn: this.expiresInSeconds,
    };
  }

  /** Throws DomainError UNAUTHORIZED for anything but a valid, unexpired HS256 token with sane claims. */
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
