import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ExecutionContext } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { TokenService, VerifiedTokens, type AuthUser } from '@seckill/auth';
import { loadConfig } from '@seckill/config';
import { DomainError, ErrorCode } from '@seckill/contracts';
import { AdminGuard, BearerGuard, CurrentUser } from './auth.guards';

/** The guards with the real TokenService (behind its cache of verified tokens); a request is what they read of Fastify's (its headers) and write on it (user). */
function world() {
  const config = loadConfig({});
  const tokens = new TokenService(config.JWT_SECRET, config.JWT_EXPIRES_IN_SECONDS);
  const other = new TokenService(`${config.JWT_SECRET}-not`, config.JWT_EXPIRES_IN_SECONDS);
  const shopper: AuthUser = { id: 7, username: 'alice', role: 'shopper' };
  const admin: AuthUser = { id: 1, username: 'root', role: 'admin' };
  const request = (authorization?: string): { headers: Record<string, string>; user?: AuthUser } => ({ headers: authorization === undefined ? {} : { authorization } });
  const ctx = (req: object): ExecutionContext => new ExecutionContextHost([req, {}]);
  return { tokens, other, shopper, admin, request, ctx, bearer: new BearerGuard(new VerifiedTokens(tokens, 100)), adminOnly: new AdminGuard() };
}

function refusal(run: () => unknown): ErrorCode {
  try {
    run();
  } catch (err) {
    if (err instanceof DomainError) return err.code;
    throw err;
  }
  throw new Error('let through');
}

/** The function Nest calls for @CurrentUser() on a handler's parameter. */
function currentUserFactory(): (data: unknown, ctx: ExecutionContext) => AuthUser {
  class Handler {
    route(@CurrentUser() _user: AuthUser): void {}
  }
  const args = Reflect.getMetadata(ROUTE_ARGS_METADATA, Handler, 'route') as Record<string, { factory: (data: unknown, ctx: ExecutionContext) => AuthUser }>;
  return Object.values(args)[0]!.factory;
}

describe('BearerGuard, AdminGuard, CurrentUser', () => {
  it('lets a valid bearer token through and puts its user on the request for @CurrentUser()', () => {
    const w = world();
    const req = w.request(`Bearer ${w.tokens.issue(w.shopper).accessToken}`);
    assert.equal(w.bearer.canActivate(w.ctx(req)), true);
    assert.deepEqual(req.user, w.shopper);
    assert.deepEqual(currentUserFactory()(undefined, w.ctx(req)), w.shopper);
    const spaced = w.request(`Bearer   ${w.tokens.issue(w.admin).accessToken}  `);
    assert.equal(w.bearer.canActivate(w.ctx(spaced)), true, 'spaces around the token are not part of it');
    assert.deepEqual(spaced.user, w.admin);
  });

  it('refuses 401 UNAUTHORIZED without a bearer token, with another scheme, or with a token it did not sign', () => {
    const w = world();
    const token = w.tokens.issue(w.shopper).accessToken;
    for (const header of [undefined, '', 'Bearer', 'Bearer ', `Basic ${Buffer.from('alice:pw').toString('base64')}`, token, `Bearer ${w.other.issue(w.shopper).accessToken}`, 'Bearer not.a.jwt']) {
      const req = w.request(header);
      assert.equal(refusal(() => w.bearer.canActivate(w.ctx(req))), ErrorCode.UNAUTHORIZED, String(header));
      assert.equal(req.user, undefined, String(header));
    }
  });

  it('lets only an admin past AdminGuard: a shopper or no user at all is 403 FORBIDDEN', () => {
    const w = world();
    assert.equal(w.adminOnly.canActivate(w.ctx({ headers: {}, user: w.admin })), true);
    assert.equal(refusal(() => w.adminOnly.canActivate(w.ctx({ headers: {}, user: w.shopper }))), ErrorCode.FORBIDDEN);
    assert.equal(refusal(() => w.adminOnly.canActivate(w.ctx({ headers: {} }))), ErrorCode.FORBIDDEN);
  });

  it('@CurrentUser() on a route without BearerGuard is 401, never an undefined user', () => {
    const w = world();
    assert.equal(refusal(() => currentUserFactory()(undefined, w.ctx(w.request()))), ErrorCode.UNAUTHORIZED);
  });
});
