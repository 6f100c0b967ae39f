import type { OrderResultMessage, OrderStatusMessage } from './messages';

/** What the notifier sends on `ws://HOST:8085/{uuid}` (JSON text frames, see the contract). */
export type OrderResultFrame =
  | { type: 'order.result'; uuid: string; status: 'SUCCESS'; orderNo: string }
  | { type: 'order.result'; uuid: string; status: 'FAIL'; reason: string };

export interface OrderStatusFrame {
  type: 'order.status';
  uuid: string;
  orderNo: string;
  status: 'PAID' | 'CANCELLED' | 'TIMEOUT';
}

export type OrderFrame = OrderResultFrame | OrderStatusFrame;

/** Close codes of the notifier's sockets. */
export const SocketCloseCode = {
  /** missing, invalid or expired token */
  UNAUTHORIZED: 4401,
  /** the uuid belongs to another user's request */
  FORBIDDEN: 4403,
  /** the path is not /{uuid} */
  BAD_PATH: 4400,
  /** the notifier could not set the socket up (a dependency is down): reconnect */
  SERVER_ERROR: 1011,
  /** a frame from the client over the size limit (sent by ws itself, maxPayload) */
  MESSAGE_TOO_BIG: 1009,
  /** the user already holds the most sockets allowed, across all instances */
  TOO_MANY_SOCKETS: 4429,
  /** this instance holds the most sockets it accepts: try again later (another instance) */
  TRY_AGAIN_LATER: 1013,
  /** the uuid did not become the user's within the bounded wait */
  UNOWNED_TIMEOUT: 4408,
  /** /room/{id}: the user has not joined that item's room (join over HTTP first), or the item has no room */
  NOT_IN_ROOM: 4404,
} as const;

/** The frame a shopper sees for a message: no user ids, nothing internal. */
export function toFrame(m: OrderResultMessage | OrderStatusMessage): OrderFrame {
  if (m.type === 'order.status') return { type: 'order.status', uuid: m.uuid, orderNo: m.orderNo, status: m.status };
  return m.status === 'SUCCESS'
    ? { type: 'order.result', uuid: m.uuid, status: 'SUCCESS', orderNo: m.orderNo ?? '' }
    : { type: 'order.result', uuid: m.uuid, status: 'FAIL', reason: m.reason ?? 'INTERNAL' };
}
