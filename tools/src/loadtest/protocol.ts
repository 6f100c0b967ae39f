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
  goodId: number;
  shoppers: Shopper[];
  /** 0: one pre-opened connection per shopper; otherwise this client's share of the keep-alive pool. */
  poolSize: number;
  openConcurrency: number;
  pollIntervalMs: number;
  /** Epoch ms after which the agent stops waiting and reports what it has. */
  deadline: number;
}

export interface AgentFire {
  type: 'fire';
  /** Epoch ms at which every client process starts firing. */
  at: number;
}

export type ParentMessage = AgentInit | AgentFire | { type: 'stop' };

export interface AgentCounts {
  socketsOpen: number;
  socketsFailed: number;
  connectionsOpen: number;
  sent: number;
  answered: number;
  accepted: number;
  pushed: number;
  polled: number;
  dropped: number;
}

export type AgentMessage =
  | { type: 'progress'; client: number; counts: AgentCounts }
  | { type: 'ready'; client: number; counts: AgentCounts; openMs: number }
  | { type: 'done'; client: number; counts: AgentCounts; records: RequestRecord[]; complete: boolean }
  | { type: 'failed'; client: number; error: string };

export type OutcomeVia = 'push' | 'poll';

export interface RequestRecord {
  index: number;
  userId: number;
  requestId: string;
  client: number;
  /** When the click happened (the request was issued); with a pool it may wait for a connection. */
  issuedAt?: number;
  /** When the request went onto its connection. */
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
  outcome?: { status: string; orderNo?: string; reason?: string; at: number; via: OutcomeVia };
  /** The socket: opened and kept, never opened, or closed by the server before the outcome (with its code). */
  socket: 'open' | 'failed' | 'dropped';
  socketCloseCode?: number;
  /** order.result frames that disagreed with the first one on the same socket. */
  conflictingFrames: number;
}

export function emptyCounts(): AgentCounts {
  return { socketsOpen: 0, socketsFailed: 0, connectionsOpen: 0, sent: 0, answered: 0, accepted: 0, pushed: 0, polled: 0, dropped: 0 };
}

export function addCounts(a: AgentCounts, b: AgentCounts): AgentCounts {
  const out = emptyCounts();
  for (const k of Object.keys(out) as (keyof AgentCounts)[]) out[k] = a[k] + b[k];
  return out;
}

/** Epoch ms, sub-millisecond: comparable across the processes of one machine. */
export function now(): number {
  return performance.timeOrigin + performance.now();
}
