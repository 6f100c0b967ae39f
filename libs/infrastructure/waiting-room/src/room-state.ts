import type { RoomClosedReason, RoomFrame, RoomTicket } from '@seckill/contracts';

/** Where one shopper stands in one item's room, as Redis says (room-ticket.lua). */
export type RoomState =
  | { kind: 'UNCONFIGURED' }
  | { kind: 'OPEN' }
  | { kind: 'NOT_OPEN'; opensMs: number }
  | { kind: 'CLOSED'; reason: RoomClosedReason }
  | { kind: 'ADMITTED'; token: string; expiresMs: number }
  | { kind: 'WAITING'; ahead: number; nowMs: number; pace: RoomPace }
  | { kind: 'NONE' };

export function parseRoomState(reply: readonly string[]): RoomState {
  const [kind = '', a, b, c, d] = reply;
  switch (kind) {
    case 'UNCONFIGURED':
    case 'OPEN':
    case 'NONE':
      return { kind };
    case 'NOT_OPEN':
      return { kind, opensMs: Number(a) };
    case 'CLOSED':
      return { kind, reason: a === 'ENDED' ? 'ENDED' : 'SOLD_OUT' };
    case 'ADMITTED':
      return { kind, token: a ?? '', expiresMs: Number(b) };
    case 'WAITING':
      return { kind, ahead: Number(a), nowMs: Number(b), pace: { admitPerSecond: Math.max(1, Number(c)), startMs: Number(d) } };
    default:
      throw new Error(`unexpected room-ticket reply ${JSON.stringify(reply)}`);
  }
}

/** What the estimate needs to know of the room. */
export interface RoomPace {
  admitPerSecond: number;
  startMs: number;
}

/**
 * Seconds until a shopper with `ahead` others in front is admitted: the time until admission starts, then one
 * place per 1/rate. One decimal: the load tool measures the estimate's accuracy, and whole seconds would hide it
 * at high rates.
 */
export function etaSeconds(ahead: number, pace: RoomPace, nowMs: number): number {
  const untilStart = Math.max(0, pace.startMs - nowMs) / 1000;
  return Math.round((untilStart + (ahead + 1) / pace.admitPerSecond) * 10) / 10;
}

/** The public ticket of a state; undefined for states that are not a ticket (UNCONFIGURED, NOT_OPEN, NONE). */
export function toTicket(itemId: number, state: RoomState): RoomTicket | undefined {
  switch (state.kind) {
    case 'OPEN':
      return { seckillGoodId: itemId, status: 'OPEN' };
    case 'CLOSED':
      return { seckillGoodId: itemId, status: 'CLOSED', reason: state.reason };
    case 'ADMITTED':
      return { seckillGoodId: itemId, status: 'ADMITTED', admissionToken: state.token, expiresAt: new Date(state.expiresMs).toISOString() };
    case 'WAITING':
      return {
        seckillGoodId: itemId,
        status: 'WAITING',
        position: state.ahead + 1,
        ahead: state.ahead,
        etaSeconds: etaSeconds(state.ahead, state.pace, state.nowMs),
      };
    case 'UNCONFIGURED':
    case 'NOT_OPEN':
    case 'NONE':
      return undefined;
  }
}

/** The socket frame of a state (room.position, room.admitted, room.closed); undefined for the others. */
export function toFrame(itemId: number, state: RoomState): RoomFrame | undefined {
  switch (state.kind) {
    case 'WAITING':
      return { type: 'room.position', seckillGoodId: itemId, position: state.ahead + 1, ahead: state.ahead, etaSeconds: etaSeconds(state.ahead, state.pace, state.nowMs) };
    case 'ADMITTED':
      return { type: 'room.admitted', seckillGoodId: itemId, admissionToken: state.token, expiresAt: new Date(state.expiresMs).toISOString() };
    case 'CLOSED':
      return { type: 'room.closed', seckillGoodId: itemId, reason: state.reason };
    case 'UNCONFIGURED':
    case 'OPEN':
    case 'NOT_OPEN':
    case 'NONE':
      return undefined;
  }
}
