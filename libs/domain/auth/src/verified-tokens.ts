import { LRUCache } from 'lru-cache';
import { DomainError, ErrorCode } from '@seckill/contracts';
import type { AuthUser } from './auth-user';
import type { TokenService, VerifiedToken } from './token.service';

const EXPIRED = new DomainError(ErrorCode.UNAUTHORIZED, 'invalid or expired token');

/**
 * Tokens whose signature was already checked, least recently used out. During a sale a shopper's clicks and
 * retries all carry one token, so its HMAC and claims are checked once rather than per request. Only tokens that
 * verified are kept: a flood of forged tokens costs an HMAC each, as before, and cannot push the shoppers' tokens
 * out faster than their own use brings them back. An entry is used only until the token's own `exp`; nbf is not
 * cached because verify refuses a token before its nbf, so nothing is stored before it holds.
 *
 * Keyed by the whole token: the signature alone is not enough (a copy of a signature under other claims must
 * still be refused, which only a fresh HMAC over those claims can say).
 */
export class VerifiedTokens {
  private readonly cache: LRUCache<string, VerifiedToken> | null;

  constructor(
    private readonly tokens: TokenService,
    maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {
    this.cache = maxEntries > 0 ? new LRUCache<string, VerifiedToken>({ max: maxEntries }) : null;
  }

  /** Throws DomainError UNAUTHORIZED, exactly as TokenService.verify. */
  verify(token: string): AuthUser {
    const hit = this.cache?.get(token);
    if (hit) {
      if (this.now() < hit.expiresAtMs) return hit.user;
      this.cache?.delete(token);
      throw EXPIRED;
    }
    const verified = this.tokens.verifyToken(token);
    this.cache?.set(token, verified);
    return verified.user;
  }

  get size(): number {
    return this.cache?.size ?? 0;
  }
}
