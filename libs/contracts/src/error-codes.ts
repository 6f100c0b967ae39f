/**
 * Stable error codes of the public HTTP contract. Clients branch on these, so a code is never renamed;
 * new ones may only be added.
 */
export const ErrorCode = {
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  NOT_FOUND: 'NOT_FOUND',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  USERNAME_TAKEN: 'USERNAME_TAKEN',
  INVALID_CREDENTIALS: 'INVALID_CREDENTIALS',
  GOOD_NOT_FOUND: 'GOOD_NOT_FOUND',
  SALE_NOT_STARTED: 'SALE_NOT_STARTED',
  SALE_ENDED: 'SALE_ENDED',
  SOLD_OUT: 'SOLD_OUT',
  ALREADY_ORDERED: 'ALREADY_ORDERED',
  RATE_LIMITED: 'RATE_LIMITED',
  TRY_AGAIN: 'TRY_AGAIN',
  REQUEST_NOT_FOUND: 'REQUEST_NOT_FOUND',
  ORDER_NOT_FOUND: 'ORDER_NOT_FOUND',
  ORDER_NOT_PAYABLE: 'ORDER_NOT_PAYABLE',
  ORDER_NOT_CANCELLABLE: 'ORDER_NOT_CANCELLABLE',
  INTERNAL: 'INTERNAL',
  NOT_ADMITTED: 'NOT_ADMITTED',
  NOT_IN_ROOM: 'NOT_IN_ROOM',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** A failure the domain expects and names. Mapped to HTTP in exactly one place (order-api's error filter). */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
