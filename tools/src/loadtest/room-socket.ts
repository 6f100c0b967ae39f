import type { RoomClosedReason } from '@seckill/contracts';
import { openFrameSocket, type ShopperSocket } from './sockets';

/** What a shopper's room socket reports: its place, its admission, the room closing, and a close it did not ask for. */
export interface RoomSocketHandlers {
  onPosition(position: number, etaSeconds: number): void;
  onAdmitted(admissionToken: string): void;
  onClosed(reason: RoomClosedReason | string): void;
  onDrop(code: number): void;
}

/**
 * The shopper's socket on `${notifier}/room/${itemId}` (after joining over HTTP). Resolves once open; rejects if it
 * fails or is closed before that (4404: not in the room).
 */
export function openRoomSocket(url: string, handlers: RoomSocketHandlers): Promise<ShopperSocket> {
  return openFrameSocket(url, handlers.onDrop, (frame) => {
    const { type, position, etaSeconds, admissionToken, reason } = frame;
    if (type === 'room.position' && typeof position === 'number') handlers.onPosition(position, Number(etaSeconds));
    else if (type === 'room.admitted' && typeof admissionToken === 'string') handlers.onAdmitted(admissionToken);
    else if (type === 'room.closed') handlers.onClosed(typeof reason === 'string' ? reason : '?');
  });
}
