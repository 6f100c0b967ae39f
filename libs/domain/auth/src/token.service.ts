import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import { DomainError, ErrorCode, type LoginAnswer } from '@seckill/contracts';
import type { AuthUser, TokenClaims } from './auth-user';

/** A token whose signature and claims hold, and the moment it stops being valid. */
export interface VerifiedToken {
  user: AuthUser;
  expiresAtMs: number;
}

/** What a login answers (the contract's shape). */
export type IssuedToken = LoginAnswer;

/** The only header this service issues or accepts (RFC 7519 compact form, HS256). */
const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

const INVALID = (): DomainError => new DomainError(ErrorCode.UNAUTHORIZED, 'invalid or expired token');

/**
 * HS256 access tokens, issued by order-api and verified by order-api and the notifier with the same secret.
 *
 * Written against node:crypto rather than jsonwebtoken: every order request verifies a token, and under a
 * sold-out flood jws/jwa's decode, re-encode and allocations around the one HMAC cost ~12 % of order-api's
 * CPU (docs/benchmarks.md). The format stays standard JWT, so tokens from any HS256 library verify here.
 */
export class TokenService {
  private readonly key: KeyObject;

  constructor(
    secret: string,
    private readonly expiresInSeconds: number,
  ) {
    this.key = createSecretKey(Buffer.from(secret));
  }

  issue(user: AuthUser): IssuedToken {
    const now = Math.floor(Date.now() / 1000);
    const claims: TokenClaims & { iat: number; exp: number } = {
      sub: String(user.id),
      username: user.username,
      role: user.role,
      iat: now,
      exp: now + this.expiresInSeconds,
    };
    const signed = `${HEADER}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    return { accessToken: `${signed}.${this.sign(signed)}`, tokenType: 'Bearer', expiresIn: this.expiresInSeconds };
  }

  /** Throws DomainError UNAUTHORIZED for anything but a valid, unexpired HS256 token with sane claims. */
  verify(token: string): AuthUser {
    return this.verifyToken(token).user;
  }

  /** As verify, with the window in which the token is valid (what a cache of verified tokens must honour). */
  verifyToken(token: string): VerifiedToken {
    const end = token.lastIndexOf('.');
    const start = token.indexOf('.');
    if (start <= 0 || end <= start + 1 || end === token.length - 1) throw INVALID();
    const signed = token.slice(0, end);
    // Compared as base64url text, not decoded bytes: Node's decoder skips stray characters, which would let
    // many spellings of one signature pass.
    const expected = Buffer.from(this.sign(signed));
    const given = Buffer.from(token.slice(end + 1));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw INVALID();

    // Parsed only once the signature holds: nothing an attacker wrote is interpreted before that.
    const header = token.slice(0, start);
    if (header !== HEADER && decodeJson(header)?.alg !== 'HS256') throw INVALID();
    const claims = decodeJson(token.slice(start + 1, end));
    if (!claims) throw INVALID();
    const now = Date.now() / 1000;
    // A token without exp would never expire: this service never issues one, so none is accepted.
    if (typeof claims.exp !== 'number' || now >= claims.exp) throw INVALID();
    if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || now < claims.nbf)) throw INVALID();

    const id = Number(claims.sub);
    if (typeof claims.sub !== 'string' || !Number.isSafeInteger(id) || id <= 0 || (claims.role !== 'admin' && claims.role !== 'shopper') || typeof claims.username !== 'string') {
      throw new DomainError(ErrorCode.UNAUTHORIZED, 'invalid token claims');
    }
    return { user: { id, username: claims.username, role: claims.role }, expiresAtMs: claims.exp * 1000 };
  }

  private sign(signed: string): string {
    return createHmac('sha256', this.key).update(signed).digest('base64url');
  }
}

function decodeJson(part: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
