/**
 * When a shopper tries again. The contract answers `503 TRY_AGAIN` when order-api could not settle a request in
 * time (an unconfirmed publish whose unit was given back, a request of the same requestId still being queued,
 * stock still loading); the right reaction is to send the same requestId again a little later, which is safe
 * because the requestId is the idempotency key. Pure (the clock and the dice are parameters), so unit-tested.
 */

export interface RetryPolicy {
  /** Further attempts after the first (0: never retry). */
  retries: number;
  /** Backoff before the first retry; it doubles per retry up to `maxMs`. */
  firstMs: number;
  maxMs: number;
}

export const BACKOFF_FIRST_MS = 100;
export const BACKOFF_MAX_MS = 2_000;

/** What the decision needs from an answer; `retryAfterMs` is the server's Retry-After, already in ms. */
export interface RetryableAnswer {
  status?: number;
  code?: string;
  retryAfterMs?: number;
}

/** Why a shopper stopped with a `503 TRY_AGAIN` as its last answer. */
export type GaveUp = 'retries' | 'deadline';

export type RetryDecision = { retry: true; delayMs: number; basis: 'retry-after' | 'backoff' } | { retry: false; gaveUp?: GaveUp };

/**
 * Only `503 TRY_AGAIN` says "nothing was done, ask again". Every other answer is final for a shopper: a 409 or
 * a 429 would not change, and a transport error may have been taken (it is polled, not re-posted).
 */
export function isRetryable(a: RetryableAnswer): boolean {
  return a.status === 503 && a.code === 'TRY_AGAIN';
}

/**
 * Capped exponential backoff with ±25 % jitter, the scheme the shop page uses to reconnect its socket: the
 * shoppers refused by one stall are refused together, and identical delays would send them back together.
 * `retry` counts from 1; the jittered value never exceeds the cap, so the cap is a true upper bound.
 */
export function backoffMs(retry: number, p: Pick<RetryPolicy, 'firstMs' | 'maxMs'>, random: () => number = Math.random): number {
  const base = Math.min(p.maxMs, p.firstMs * 2 ** Math.max(0, retry - 1));
  return Math.min(p.maxMs, base * (0.75 + random() * 0.5));
}

/** IMF-fixdate and the obsolete RFC 850 and asctime forms. */
const HTTP_DATE = /^(?:[A-Za-z]{3,9}, \d{2}[ -][A-Za-z]{3}[ -]\d{2,4} \d{2}:\d{2}:\d{2} GMT|[A-Za-z]{3} [A-Za-z]{3} [ \d]\d \d{2}:\d{2}:\d{2} \d{4})$/;

/**
 * Retry-After in ms from `nowMs`: delta-seconds or an HTTP-date (RFC 9110 §10.2.3); undefined when absent or
 * unreadable (the backoff applies then). A date in the past means "now".
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  // Date.parse alone would take "1.5" or "-1" for dates in 2001: only the three HTTP-date forms are dates here.
  if (!HTTP_DATE.test(v)) return undefined;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/**
 * After an answer to attempt number `attempts` (1 = the first post): retry, after how long, or stop. A retry
 * that could only be sent after the run's deadline is not worth scheduling: the shopper gives up instead, and
 * the run reports it.
 */
export function decideRetry(a: RetryableAnswer, attempts: number, p: RetryPolicy, nowMs: number, deadline: number, random: () => number = Math.random): RetryDecision {
  if (!isRetryable(a)) return { retry: false };
  if (attempts > p.retries) return { retry: false, gaveUp: 'retries' };
  const fromServer = a.retryAfterMs !== undefined;
  const delayMs = fromServer ? a.retryAfterMs! : backoffMs(attempts, p, random);
  if (nowMs + delayMs >= deadline) return { retry: false, gaveUp: 'deadline' };
  return { retry: true, delayMs, basis: fromServer ? 'retry-after' : 'backoff' };
}
