import { DomainError, ErrorCode } from '@seckill/contracts';

/** 429 RATE_LIMITED that knows when the limit lets the client in again (sent as `Retry-After`, in seconds). */
export class RateLimitedError extends DomainError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(ErrorCode.RATE_LIMITED, message);
  }
}
