/**
 * The waiting room of a sale item (shared/contract.md): shoppers join over HTTP, wait on
 * `ws://HOST:8085/room/{seckillGoodId}` (or poll), and are admitted at the item's set rate with a single-use
 * admission token that the order must carry while the room is on.
 */

/** PUT /api/admin/seckill/goods/:id/waiting-room → 200 (also GET, admin). */
export interface WaitingRoom {
  seckillGoodId: number;
  enabled: boolean;
  /** Shoppers admitted per second, across all order-api instances. */
  admitPerSecond: number;
  /** How long before the start the room opens; who joins within it gets a random place at the start. */
  preQueueSeconds: number;
  /** Shoppers waiting now. */
  waiting: number;
  /** Shoppers admitted so far. */
  admitted: number;
}

/** The body of PUT …/waiting-room. */
export interface WaitingRoomSettings {
  enabled: boolean;
  admitPerSecond: number;
  preQueueSeconds: number;
}

/** What creating an item may carry to start with the room on. */
export interface WaitingRoomOnCreate {
  admitPerSecond: number;
  preQueueSeconds: number;
}

export const RoomStatus = {
  /** No room on this item: order directly. */
  OPEN: 'OPEN',
  WAITING: 'WAITING',
  /** Admitted: the token is single-use, bound to the user and the item, valid until `expiresAt`. */
  ADMITTED: 'ADMITTED',
  /** Sold out or ended: stop waiting. */
  CLOSED: 'CLOSED',
} as const;
export type RoomStatus = (typeof RoomStatus)[keyof typeof RoomStatus];

export type RoomClosedReason = 'SOLD_OUT' | 'ENDED';

/** POST/GET /api/seckill/goods/:id/room → 200. */
export interface RoomTicket {
  seckillGoodId: number;
  status: RoomStatus;
  /** While WAITING: 1 for the next shopper to be admitted. */
  position?: number;
  /** While WAITING: shoppers ahead (position - 1). */
  ahead?: number;
  /** While WAITING: estimated seconds until admission (includes the time until the start). */
  etaSeconds?: number;
  /** While ADMITTED: carry it as `admissionToken` in the order body. */
  admissionToken?: string;
  /** While ADMITTED: ISO-8601 UTC; the token is refused after it. */
  expiresAt?: string;
  /** While CLOSED: why (an addition to the contract's ticket). */
  reason?: RoomClosedReason;
}

/** Frames on `ws://HOST:8085/room/{seckillGoodId}?token=…`. */
export interface RoomPositionFrame {
  type: 'room.position';
  seckillGoodId: number;
  position: number;
  ahead: number;
  etaSeconds: number;
}

export interface RoomAdmittedFrame {
  type: 'room.admitted';
  seckillGoodId: number;
  admissionToken: string;
  expiresAt: string;
}

export interface RoomClosedFrame {
  type: 'room.closed';
  seckillGoodId: number;
  reason: RoomClosedReason;
}

export type RoomFrame = RoomPositionFrame | RoomAdmittedFrame | RoomClosedFrame;

/** One room as the ops console shows it (an entry of OpsOverview.rooms). */
export interface RoomOps extends WaitingRoom {
  name: string;
  /** Units sold (PostgreSQL) and left (Redis; null when not loaded). */
  sold: number;
  stockLeft: number | null;
  /** `PRE_QUEUE` before the start, `ADMITTING` during the sale, `CLOSED` once sold out or ended, `OFF` when disabled. */
  phase: 'OFF' | 'PRE_QUEUE' | 'ADMITTING' | 'CLOSED';
  /** Admission tokens handed out and not used or expired yet. */
  outstanding: number;
}
