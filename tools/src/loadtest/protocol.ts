import type { GaveUp, RetryPolicy } from './retry';

/**
 * What the load tool's parent and its client processes say to each other over the fork IPC channel, and the
 * per-request record every figure is computed from. Times are epoch milliseconds with sub-millisecond
 * precision (see `now`), so records from different processes share one time axis; a latency is always the
 * difference of two times taken in the same process.
 */

export interface Shopper {
  index: number;
  userId: number;
  token: string;
  /** Client-chosen uuid: the socket waits on it before the order is posted (it becomes the order's uuid). */
  requestId: string;
  api: string;
  notifier: string;
  /** When to click, after the fire instant (0 for a burst). */
  offsetMs: number;
}

export interface AgentInit {
  type: 'init';
  client: number;
  itemId: number;
  shoppers: Shopper[];
  /** 0: one pre-opened connection per shopper; otherwise this client's share of the keep-alive pool. */
  poolSize: number;
  openConcurrency: number;
  pollIntervalMs: number;
  /** How a shopper answered `503 TRY_AGAIN` tries again (same requestId). */
  retry: RetryPolicy;
  /** Epoch ms after which the agent stops waiting and reports what it has. */
  deadline: number;
  /**
   * The sale has a waiting room: at its offset each shopper joins the room, and orders only once admitted (its
   * order socket is opened then, so it holds one socket at a time). The item is created after the preparation
   * (its start must lie a set time after the fire instant), so `itemId` comes with the fire message.
   */
  room?: boolean;
}

export interface AgentFire {
  type: 'fire';
  /** Epoch ms at which every client process starts firing. */
  at: number;
  /** The item, when it was not known at init (the waiting room's sale). */
  itemId?: number;
}

export type ParentMessage = AgentInit | AgentFire | { type: 'stop' };

export interface AgentCounts {
  socketsOpen: number;
  socketsFailed: number;
  connectionsOpen: number;
  /** Shoppers whose first request went out (a retry is not a new shopper). */
  sent: number;
  /** Shoppers with a final answer: a 503 TRY_AGAIN that is retried is not one. */
  answered: number;
  accepted: number;
  /** 503 TRY_AGAIN answers that were retried. */
  retried: number;
  /** Shoppers who stopped on a 503 TRY_AGAIN: out of retries, or out of time. */
  gaveUp: number;
  pushed: number;
  polled: number;
  dropped: number;
  /** Waiting room: shoppers who got a ticket, were admitted, were told the room closed. */
  joined: number;
  admitted: number;
  closed: number;
}

export type AgentMessage =
  | { type: 'progress'; client: number; counts: AgentCounts }
  | { type: 'ready'; client: number; counts: AgentCounts; openMs: number }
  /** `apiSends`: when each request this client sent to order-api went on the wire (orders, retries, room calls, polls). */
  | { type: 'done'; client: number; counts: AgentCounts; records: RequestRecord[]; complete: boolean; apiSends: number[] }
  | { type: 'failed'; client: number; error: string };

export type OutcomeVia = 'push' | 'poll';

/** An attempt that was answered `503 TRY_AGAIN` and then retried with the same requestId. */
export interface RetriedAttempt {
  sentAt?: number;
  answeredAt: number;
  status: number;
  code?: string;
  /** The server's Retry-After, in ms, when it sent one. */
  retryAfterMs?: number;
  /** How long the shopper waited before the next attempt. */
  delayMs: number;
}

/**
 * One shopper. The fields from `sentAt` to `uuid` describe its latest attempt (the only one when nothing was
 * retried); earlier attempts answered `503 TRY_AGAIN` are in `retried`, oldest first.
 */
export interface RequestRecord {
  index: number;
  userId: number;
  requestId: string;
  client: number;
  /** When the shopper first clicked (the first attempt was issued); with a pool it may wait for a connection. */
  issuedAt?: number;
  /** When the latest attempt went onto its connection. */
  sentAt?: number;
  answeredAt?: number;
  /** HTTP status; undefined when the request failed on the transport or was never answered. */
  status?: number;
  /** The error `code` of a non-2xx answer (SOLD_OUT, TRY_AGAIN, …). */
  code?: string;
  /** Transport error (ECONNRESET, …) instead of an answer. */
  error?: string;
  /** From the 202 body. */
  uuid?: string;
  retried?: RetriedAttempt[];
  /** The latest answer is a 503 TRY_AGAIN and the shopper stopped there: why. */
  gaveUp?: GaveUp;
  outcome?: { status: string; orderNo?: string; reason?: string; at: number; via: OutcomeVia };
  /** The socket: opened and kept, never opened, or closed by the server before the outcome (with its code). */
  socket: 'open' | 'failed' | 'dropped';
  socketCloseCode?: number;
  /** order.result frames that disagreed with the first one on the same socket. */
  conflictingFrames: number;
  /** The shopper's way through the waiting room, when the sale has one. */
  room?: RoomRecord;
}

/** How a shopper learnt its room's answer: the join's own ticket, a frame on the room socket, or a poll. */
export type RoomVia = 'join' | 'push' | 'poll';

/** One shopper in the waiting room: the join, what it promised, and how the wait ended. */
export interface RoomRecord {
  /** The first join attempt on the wire (the shopper's click). */
  joinSentAt?: number;
  /** The answer that settled the join: a ticket, or the refusal after any retries. */
  joinAnsweredAt?: number;
  joinAttempts: number;
  /** The settling answer's HTTP status and error code, or its transport error. */
  joinStatus?: number;
  joinCode?: string;
  joinError?: string;
  /** The ticket's status at join (WAITING, ADMITTED, CLOSED, OPEN). */
  joined?: string;
  /** What the join promised: the place and the seconds until admission. */
  position?: number;
  etaSeconds?: number;
  admittedAt?: number;
  closed?: { reason: string; at: number };
  /** How the admission or the closing came. */
  via?: RoomVia;
  /** The room socket: never opened (answered at join), open, failed to open, or closed by the server first. */
  socket: 'none' | 'open' | 'failed' | 'dropped';
  socketCloseCode?: number;
  positionFrames: number;
  /** GET …/room polls after the socket failed or dropped. */
  polls: number;
}

export function emptyCounts(): AgentCounts {
  return { socketsOpen: 0, socketsFailed: 0, connectionsOpen: 0, sent: 0, answered: 0, accepted: 0, retried: 0, gaveUp: 0, pushed: 0, polled: 0, dropped: 0, joined: 0, admitted: 0, closed: 0 };
}

export function addCounts(a: AgentCounts, b: AgentCounts): AgentCounts {
  const out = emptyCounts();
  for (const k of Object.keys(out) as (keyof AgentCounts)[]) out[k] = a[k] + b[k];
  return out;
}

/** When the shopper's first attempt went onto its connection: the click every wait of the shopper starts from. */
export function firstSentAt(r: RequestRecord): number | undefined {
  return r.retried?.[0]?.sentAt ?? r.sentAt;
}

/** Epoch ms, sub-millisecond: comparable across the processes of one machine. */
export function now(): number {
  return performance.timeOrigin + performance.now();
}
