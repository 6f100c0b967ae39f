import type { RoomClosedReason } from '@seckill/contracts';

/**
 * What the admitter announces to every notifier on the room channel (Redis pub/sub): who was just admitted, with
 * their tokens, or that a room closed. Best effort by design: a notifier that misses one learns the same from
 * Redis at its next position push (every few seconds).
 */
export type RoomEvent =
  | { kind: 'admitted'; itemId: number; expiresMs: number; admitted: [userId: number, token: string][] }
  | { kind: 'closed'; itemId: number; reason: RoomClosedReason };

export function parseRoomEvent(payload: string): RoomEvent | undefined {
  let v: unknown;
  try {
    v = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const e = v as Record<string, unknown>;
  if (typeof e.itemId !== 'number') return undefined;
  if (e.kind === 'closed' && (e.reason === 'SOLD_OUT' || e.reason === 'ENDED')) return { kind: 'closed', itemId: e.itemId, reason: e.reason };
  if (e.kind === 'admitted' && typeof e.expiresMs === 'number' && Array.isArray(e.admitted)) {
    const admitted = e.admitted.filter((p): p is [number, string] => Array.isArray(p) && typeof p[0] === 'number' && typeof p[1] === 'string');
    return { kind: 'admitted', itemId: e.itemId, expiresMs: e.expiresMs, admitted };
  }
  return undefined;
}
