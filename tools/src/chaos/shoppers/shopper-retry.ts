import { backoffMs } from '../../loadtest/retry';

/**
 * When a chaos shopper posts its order again, and where. Like the shop page: a `503` (the contract's TRY_AGAIN)
 * or a `429` is asked again after the answer's Retry-After, else after a capped exponential backoff with
 * jitter; a connection error (the instance is gone) is asked again on the next order-api, as a load balancer
 * would route it. Always the same requestId, so a retry can never reserve twice. Everything else is final.
 * Pure: the clock and the dice are parameters.
 */
export const BACKOFF = { firstMs: 100, maxMs: 2_000 } as const;

export interface OrderAnswer {
  status?: number;
  code?: string;
  error?: string;
  retryAfterMs?: number;
}

export type OrderDecision = { retry: true; delayMs: number; nextApi: boolean } | { retry: false; gaveUp: boolean };

export function isRetryableAnswer(a: OrderAnswer): boolean {
  return a.error !== undefined || a.status === 503 || a.status === 429;
}

/**
 * `retry` counts from 1 (the first retry). `deadline` is how long the shopper keeps trying: while the fault
 * lasts, plus a margin after it; a retry that would go out after it is not scheduled (the shopper gave up).
 */
export function decideOrderRetry(a: OrderAnswer, retry: number, nowMs: number, deadline: number, random: () => number = Math.random): OrderDecision {
  if (a.status === 202 || !isRetryableAnswer(a)) return { retry: false, gaveUp: false };
  const delayMs = a.retryAfterMs ?? backoffMs(retry, BACKOFF, random);
  if (nowMs + delayMs >= deadline) return { retry: false, gaveUp: true };
  return { retry: true, delayMs, nextApi: a.error !== undefined };
}

/** Socket closes after which the page would not reconnect: the server refused this shopper, not a fault. */
export function isFinalClose(code: number): boolean {
  return code === 4401 || code === 4403 || code === 4400;
}

/** Delay before the n-th reconnect of a dropped socket (n from 1): the shop page's scheme, the same backoff. */
export function reconnectDelayMs(n: number, random: () => number = Math.random): number {
  return backoffMs(n, BACKOFF, random);
}
