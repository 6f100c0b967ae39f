/**
 * What one shopper did and saw during a chaos scenario: every order attempt (a retry is the same requestId
 * again), how its socket fared and the outcome it received. The checks are computed from these records alone
 * plus the end state of the stores, so they are pure and unit-tested. Times are epoch ms (loadtest's `now`).
 */
export interface Attempt {
  /** The order-api the attempt went to (a shopper moves to another one after a connection error). */
  api: string;
  /** When it went onto a connection; absent if it never got one. */
  sentAt?: number;
  answeredAt?: number;
  status?: number;
  code?: string;
  /** A transport error instead of an answer (ECONNREFUSED, ECONNRESET…), or NO_ANSWER when the run ended first. */
  error?: string;
  /** The answer's Retry-After, in ms; absent when the header was. */
  retryAfterMs?: number;
}

export type OutcomeVia = 'push' | 'reconnect';

export interface ReceivedOutcome {
  status: string;
  orderNo?: string;
  reason?: string;
  at: number;
  /** `push`: on a socket no drop preceded; `reconnect`: on a socket opened again after a drop. */
  via: OutcomeVia;
}

/** How a shopper's order ended: a 202, a final refusal (409…), or still 503/unreachable when its patience ran out. */
export type OrderEnd = 'accepted' | 'refused' | 'gave-up';

export interface ShopperRecord {
  index: number;
  userId: number;
  requestId: string;
  clickedAt?: number;
  attempts: Attempt[];
  end?: OrderEnd;
  acceptedAt?: number;
  /** The uuid of the 202 (the contract makes it the requestId). */
  uuid?: string;
  outcome?: ReceivedOutcome;
  /** order.result frames that contradicted the first one. */
  conflictingFrames: number;
  socketOpens: number;
  /** Closes the shopper did not ask for. */
  socketDrops: number;
  /** A close that forbids reconnecting (4401 token, 4403 not yours). */
  socketRefusedCode?: number;
}

export const NO_ANSWER = 'NO_ANSWER';
