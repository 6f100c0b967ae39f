import { DELIVERY_LIMIT, RETRY_DELAYS, type RetryDelay } from './topology';

/**
 * The headers a consumer keeps on the copies of a message it sends through the delay queues. The broker's own
 * `x-delivery-count` only counts returns of one copy; these carry the history across copies.
 */
export const RetryHeader = {
  /** Outages this message has waited out (chooses the next delay). */
  OUTAGES: 'x-seckill-outages',
  /** Attempts that failed while every dependency answered (a poison message reaches MAX_DELIVERIES). */
  FAILURES: 'x-seckill-failures',
  /** Times the broker returned it unsettled (its consumer crashed or lost its connection), over all copies. */
  RETURNS: 'x-seckill-returns',
  /** The last error, for the operator who reads a parked message. */
  LAST_ERROR: 'x-seckill-last-error',
} as const;

/** A copy is refreshed when the broker has returned it this often, well before DELIVERY_LIMIT would park it. */
export const REFRESH_AFTER_RETURNS = DELIVERY_LIMIT - 2;
/** Returns over all copies after which a message is taken to crash its consumer: parked (reason crash_loop). */
export const CRASH_LOOP_RETURNS = DELIVERY_LIMIT * 3;

export type Cause = 'outage' | 'failure';

export type RetryStep =
  | { kind: 'retry'; delay: RetryDelay; headers: Record<string, unknown> }
  | { kind: 'park'; reason: 'failed' | 'crash_loop'; headers: Record<string, unknown> };

export interface RetryHistory {
  outages: number;
  failures: number;
  returns: number;
  /** Returns of the copy in hand (the broker's x-delivery-count). */
  deliveryCount: number;
}

function count(headers: Record<string, unknown> | undefined, key: string): number {
  const v = headers?.[key];
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : 0;
}

export function historyOf(headers: Record<string, unknown> | undefined): RetryHistory {
  return {
    outages: count(headers, RetryHeader.OUTAGES),
    failures: count(headers, RetryHeader.FAILURES),
    returns: count(headers, RetryHeader.RETURNS),
    deliveryCount: count(headers, 'x-delivery-count'),
  };
}

/** The delay before outage retry number `n` (0-based): 1 s, 5 s, 30 s, then 30 s for ever. */
export function outageDelay(n: number): RetryDelay {
  return RETRY_DELAYS[Math.min(n, RETRY_DELAYS.length - 1)] ?? RETRY_DELAYS[0];
}

/** Headers of a copy: the original's, minus what the broker sets per copy, with the new history. */
export function copyHeaders(headers: Record<string, unknown> | undefined, history: Omit<RetryHistory, 'deliveryCount'>, lastError?: string): Record<string, unknown> {
  const out: Record<string, unknown> = { ...(headers ?? {}) };
  delete out['x-delivery-count'];
  out[RetryHeader.OUTAGES] = history.outages;
  out[RetryHeader.FAILURES] = history.failures;
  out[RetryHeader.RETURNS] = history.returns;
  if (lastError !== undefined) out[RetryHeader.LAST_ERROR] = lastError.slice(0, 500);
  return out;
}

/**
 * What to do with a message whose handling did not succeed. An outage is never counted against the message: it
 * is retried with growing delays for as long as it takes. A failure while everything answered is retried after
 * the shortest delay until it has failed `maxFailures` times, then parked.
 */
export function afterFailure(headers: Record<string, unknown> | undefined, cause: Cause, maxFailures: number, error?: string): RetryStep {
  const h = historyOf(headers);
  const returns = h.returns + h.deliveryCount;
  if (cause === 'outage') {
    return { kind: 'retry', delay: outageDelay(h.outages), headers: copyHeaders(headers, { outages: h.outages + 1, failures: h.failures, returns }, error) };
  }
  const failures = h.failures + 1;
  const next = copyHeaders(headers, { outages: h.outages, failures, returns }, error);
  if (failures >= maxFailures) return { kind: 'park', reason: 'failed', headers: next };
  return { kind: 'retry', delay: RETRY_DELAYS[0], headers: next };
}

/**
 * What to do with a message on arrival, before handling it: a copy the broker has returned often (crashes or
 * lost connections while it was in hand) is replaced by a fresh copy, so outages that cut connections never
 * bring it to the broker's delivery limit; one returned very often over all its copies is crashing its
 * consumer and is parked.
 */
export function onArrival(headers: Record<string, unknown> | undefined): RetryStep | null {
  const h = historyOf(headers);
  if (h.deliveryCount < REFRESH_AFTER_RETURNS) return null;
  const returns = h.returns + h.deliveryCount;
  const next = copyHeaders(headers, { outages: h.outages, failures: h.failures, returns });
  if (returns >= CRASH_LOOP_RETURNS) return { kind: 'park', reason: 'crash_loop', headers: next };
  return { kind: 'retry', delay: RETRY_DELAYS[0], headers: next };
}
