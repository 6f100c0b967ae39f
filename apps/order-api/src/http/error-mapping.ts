import { ErrorCode } from '@seckill/contracts';

/** Sent with every 503 TRY_AGAIN and 429: a dependency blip or a recovery is usually over within seconds. */
export const RETRY_AFTER_SECONDS = 1;

/** The one place where a domain error code becomes an HTTP status. Exhaustive: a new code will not compile until mapped. */
export function statusOf(code: ErrorCode): number {
  switch (code) {
    case ErrorCode.VALIDATION_FAILED:
      return 400;
    case ErrorCode.UNAUTHORIZED:
    case ErrorCode.INVALID_CREDENTIALS:
      return 401;
    case ErrorCode.FORBIDDEN:
    case ErrorCode.SALE_NOT_STARTED:
    case ErrorCode.SALE_ENDED:
    case ErrorCode.NOT_ADMITTED:
      return 403;
    case ErrorCode.NOT_FOUND:
    case ErrorCode.GOOD_NOT_FOUND:
    case ErrorCode.REQUEST_NOT_FOUND:
    case ErrorCode.ORDER_NOT_FOUND:
    case ErrorCode.NOT_IN_ROOM:
      return 404;
    case ErrorCode.USERNAME_TAKEN:
    case ErrorCode.SOLD_OUT:
    case ErrorCode.ALREADY_ORDERED:
    case ErrorCode.ORDER_NOT_PAYABLE:
    case ErrorCode.ORDER_NOT_CANCELLABLE:
      return 409;
    case ErrorCode.PAYLOAD_TOO_LARGE:
      return 413;
    case ErrorCode.RATE_LIMITED:
      return 429;
    case ErrorCode.INTERNAL:
      return 500;
    case ErrorCode.TRY_AGAIN:
      return 503;
  }
}

/** Framework-level HTTP errors (routing, body parsing) expressed in the contract's codes. */
export function codeOfHttpStatus(status: number): ErrorCode {
  if (status === 404) return ErrorCode.NOT_FOUND;
  if (status === 413) return ErrorCode.PAYLOAD_TOO_LARGE;
  if (status === 401) return ErrorCode.UNAUTHORIZED;
  if (status === 403) return ErrorCode.FORBIDDEN;
  if (status === 429) return ErrorCode.RATE_LIMITED;
  if (status === 503) return ErrorCode.TRY_AGAIN;
  if (status >= 400 && status < 500) return ErrorCode.VALIDATION_FAILED;
  return ErrorCode.INTERNAL;
}
