import WebSocket from 'ws';
import type { RoomClosedReason } from '@seckill/contracts';
import { ShopperSocket } from './sockets';

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
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: 30_000 });
    const s = new ShopperSocket(ws);
    let opened = false;
    ws.once('open', () => {
      opened = true;
      resolve(s);
    });
    ws.on('error', (err) => {
      if (!opened) reject(err);
    });
    ws.on('close', (code) => {
      if (!opened) return reject(new Error(`closed with ${code} before it opened`));
      if (!s.closing) handlers.onDrop(code);
    });
    ws.on('message', (data) => {
      let frame: { type?: string; position?: unknown; etaSeconds?: unknown; admissionToken?: unknown; reason?: unknown };
      try {
        frame = JSON.parse(data.toString()) as typeof frame;
      } catch {
        return;
      }
      if (frame.type === 'room.position' && typeof frame.position === 'number') handlers.onPosition(frame.position, Number(frame.etaSeconds));
      else if (frame.type === 'room.admitted' && typeof frame.admissionToken === 'string') handlers.onAdmitted(frame.admissionToken);
      else if (frame.type === 'room.closed') handlers.onClosed(typeof frame.reason === 'string' ? frame.reason : '?');
    });
  });
}
