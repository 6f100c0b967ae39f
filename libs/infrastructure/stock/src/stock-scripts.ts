import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type Redis from 'ioredis';
import type { Result } from 'ioredis';

/** The .lua files beside this module, loaded once as Redis commands (EVALSHA, with EVAL fallback). */
const SCRIPTS = {
  reserveStock: { file: 'reserve-stock.lua', keys: 5 },
  markQueued: { file: 'mark-queued.lua', keys: 2 },
  abandonReservation: { file: 'abandon-reservation.lua', keys: 4 },
  releaseReservation: { file: 'release-reservation.lua', keys: 3 },
  releaseReplayedReservation: { file: 'release-replayed-reservation.lua', keys: 3 },
  releaseStranded: { file: 'release-stranded.lua', keys: 4 },
  loadStock: { file: 'load-stock.lua', keys: 2 },
  fenceStock: { file: 'fence-stock.lua', keys: 3 },
  addStock: { file: 'add-stock.lua', keys: 1 },
  reconcileStock: { file: 'reconcile-stock.lua', keys: 4 },
} as const;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    reserveStock(stock: string, buyers: string, req: string, publishing: string, fence: string, userId: number, uuid: string, itemId: number, ttl: number, nowMs: number): Result<[string, string], Context>;
    markQueued(req: string, publishing: string, uuid: string, userId: number, itemId: number, ttl: number): Result<string, Context>;
    abandonReservation(stock: string, buyers: string, req: string, publishing: string, userId: number, uuid: string, itemId: number, ttl: number): Result<string, Context>;
    releaseReservation(stock: string, buyers: string, req: string, userId: number, uuid: string, returnUnit: number): Result<number, Context>;
    releaseReplayedReservation(stock: string, buyers: string, req: string, userId: number, uuid: string): Result<number, Context>;
    releaseStranded(stock: string, buyers: string, req: string, publishing: string, uuid: string): Result<number, Context>;
    loadStock(stock: string, buyers: string, ...args: (string | number)[]): Result<number, Context>;
    fenceStock(stock: string, fence: string, fences: string, itemId: number, nowMs: number): Result<number, Context>;
    addStock(stock: string, delta: number): Result<number | null, Context>;
    claimRequests(numKeys: number, ...keys: string[]): Result<string[], Context>;
    reconcileStock(stock: string, buyers: string, fence: string, fences: string, ...args: (string | number)[]): Result<[string, string, string, string], Context>;
  }
}

export function scriptSource(file: string): string {
  return readFileSync(join(__dirname, 'scripts', file), 'utf8');
}

export function defineStockScripts(redis: Redis): void {
  if ((redis as { reserveStock?: unknown }).reserveStock) return;
  for (const [name, spec] of Object.entries(SCRIPTS)) {
    redis.defineCommand(name, { numberOfKeys: spec.keys, lua: scriptSource(spec.file) });
  }
  // The claim takes a whole batch of request keys, so its key count is given per call.
  redis.defineCommand('claimRequests', { lua: scriptSource('claim-requests.lua') });
}
