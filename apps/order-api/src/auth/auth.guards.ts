import { createParamDecorator, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { DomainError, ErrorCode } from '@seckill/contracts';
import type { AuthUser } from '@seckill/auth';
import { VerifiedTokens } from '@seckill/auth';

type AuthedRequest = FastifyRequest & { user?: AuthUser };

/** Requires `Authorization: Bearer <token>`; the verified user is then available as @CurrentUser(). */
@Injectable()
export class BearerGuard implements CanActivate {
  constructor(private readonly tokens: VerifiedTokens) {}

  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    const header = req.headers.authorization;
    if (typeof header !== 'string' || !header.startsWith('Bearer ')) {
      throw new DomainError(ErrorCode.UNAUTHORIZED, 'a bearer token is required');
    }
    req.user = this.tokens.verify(header.slice('Bearer '.length).trim());
    return true;
  }
}

/** Requires an admin token (use after BearerGuard). */
@Injectable()
export class AdminGuard implements CanActivate {
  canActivate(ctx: ExecutionContext): boolean {
    const user = ctx.switchToHttp().getRequest<AuthedRequest>().user;
    if (user?.role !== 'admin') throw new DomainError(ErrorCode.FORBIDDEN, 'admin role required');
    return true;
  }
}

export const CurrentUser = createParamDecorator((_data: unknown, ctx: ExecutionContext): AuthUser => {
  const user = ctx.switchToHttp().getRequest<AuthedRequest>().user;
  if (!user) throw new DomainError(ErrorCode.UNAUTHORIZED, 'a bearer token is required');
  return user;
});
