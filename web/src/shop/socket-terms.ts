import type { SocketCloseCode } from '@seckill/contracts';

/** The notifier's close codes (shared/contract.md, WebSocket); their types hold them equal to the contract's. */
export const CLOSE_UNAUTHORIZED: typeof SocketCloseCode.UNAUTHORIZED = 4401;
export const CLOSE_FORBIDDEN: typeof SocketCloseCode.FORBIDDEN = 4403;
export const CLOSE_BAD_PATH: typeof SocketCloseCode.BAD_PATH = 4400;
export const CLOSE_NOT_IN_ROOM: typeof SocketCloseCode.NOT_IN_ROOM = 4404;

const RECONNECT_FIRST_MS = 500;
const RECONNECT_MAX_MS = 15_000;

/**
 * How long to wait before the next reconnect of a dropped socket, after `failed` reconnects in a row: doubling
 * from half a second up to 15 s, jittered so that a restarted notifier is not hit by every waiting browser in the
 * same instant.
 */
export function reconnectDelayMs(failed: number): number {
  const backoff = Math.min(RECONNECT_MAX_MS, RECONNECT_FIRST_MS * 2 ** failed);
  return backoff * (0.75 + Math.random() * 0.5);
}

/** A text frame from the notifier as a JSON object; undefined for anything else (binary, not JSON, not an object). */
export function parseFrame(data: unknown): Record<string, unknown> | undefined {
  if (typeof data !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(data);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
