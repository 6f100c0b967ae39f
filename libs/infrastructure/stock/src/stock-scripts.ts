import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RedisClient } from '@seckill/redis';
import type { Result } from 'ioredis';

/** The .lua files beside this module, loaded once as Redis commands (EVALSHA, with EVAL fallback). */
const SCRIPTS = {
  reserveStock: { file: 'reserve-stock.lua', keys: 5 },
  reserveStockWithPointer: { file: 'reserve-stock.lua', keys: 6 },
  markQueued: { file: 'mark-queued.lua', keys: 2 },
  markQueuedWithPointer: { file: 'mark-queued.lua', keys: 3 },
  abandonReservation: { file: 'abandon-reservation.lua', keys: 4 },
  releaseReservation: { file: 'release-reservation.lua', keys: 3 },
  releaseReplayedReservation: { file: 'release-replayed-reservation.lua', keys: 3 },
  releaseStranded: { file: 'release-stranded.lua', keys: 4 },
  loadStock: { file: 'load-stock.lua', keys: 2 },
  fenceStock: { file: 'fence-stock.lua', keys: 2 },
  addStock: { file: 'add-stock.lua', keys: 1 },
  reconcileStock: { file: 'reconcile-stock.lua', keys: 3 },
} as const;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    reserveStock(stock: string, buyers: string, req: string, publishing: string, fence: string, userId: number, uuid: string, itemId: number, ttl: number, nowMs: number): Result<[string, string], Context>;
    reserveStockWithPointer(stock: string, buyers: string, req: string, publishing: string, fence: string, pointer: string, userId: number, uuid: string, itemId: number, ttl: number, nowMs: number): Result<[string, string], Context>;
    markQueued(req: string, publishing: string, uuid: string, userId: number, itemId: number, ttl: number): Result<string, Context>;
    markQueuedWithPointer(req: string, publishing: string, pointer: string, uuid: string, userId: number, itemId: number, ttl: number): Result<string, Context>;
    abandonReservation(stock: string, buyers: string, req: string, publishing: string, userId: number, uuid: string, itemId: number, ttl: number): Result<string, Context>;
    releaseReservation(stock: string, buyers: string, req: string, userId: number, uuid: string, returnUnit: number): Result<number, Context>;
    releaseReplayedReservation(stock: string, buyers: string, req: string, userId: number, uuid: string): Result<number, Context>;
    releaseStranded(stock: string, buyers: string, req: string, publishing: string, uuid: string): Result<number, Context>;
    loadStock(stock: string, buyers: string, ...args: (string | number)[]): Result<number, Context>;
    fenceStock(stock: string, fence: string, nowMs: number): Result<number, Context>;
    addStock(stock: string, delta: number): Result<number | null, Context>;
    reconcileStock(stock: string, buyers: string, fence: string, ...args: (string | number)[]): Result<[string, string, string, string], Context>;
  }
}

export function scriptSource(file: string): string {
  return readFileSync(join(__dirname, 'scripts', file), 'utf8');
}

export function defineStockScripts(redis: RedisClient): void {
  if ((redis as { reserveStock?: unknown }).reserveStock) return;
  for (const [name, spec] of Object.entries(SCRIPTS)) {
    redis.defineCommand(name, { numberOfKeys: spec.keys, lua: scriptSource(spec.file) });
  }
  defineClaimCommands(redis);
}

/** Claim commands take 1, 2, 4 … CLAIM_SIZES[-1] keys; a batch is claimed in chunks of these sizes. */
export const CLAIM_SIZES = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512] as const;

/**
 * The claim's key count varies per batch. A command defined without a fixed count takes the count as its first
 * argument, which ioredis's cluster auto-pipelining would route by (the slot of "3", not of the keys): one command
 * per size instead, all defined up front (a pipeline already open knows only the commands defined before it).
 */
function defineClaimCommands(redis: RedisClient): void {
  for (const n of CLAIM_SIZES) redis.defineCommand(`claimRequests${n}`, { numberOfKeys: n, lua: scriptSource('claim-requests.lua') });
}

/** Claims request keys (of one item: one slot) in chunks of CLAIM_SIZES; the states in the given order. */
export async function claimRequests(redis: RedisClient, keys: readonly string[]): Promise<string[]> {
  const commands = redis as unknown as Record<string, ((...keys: string[]) => Promise<string[]>) | undefined>;
  const calls: Promise<string[]>[] = [];
  for (let at = 0; at < keys.length; ) {
    // The largest size that fits what is left; 1 always does.
    const n = CLAIM_SIZES.reduce((best, size) => (size <= keys.length - at ? size : best), 1);
    const claim = commands[`claimRequests${n}`];
    if (!claim) throw new Error(`claimRequests${n} is not defined on this connection (defineStockScripts)`);
    calls.push(claim.apply(redis, keys.slice(at, at + n)));
    at += n;
  }
  return (await Promise.all(calls)).flat();
}
