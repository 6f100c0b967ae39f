import type { WebSocket } from 'ws';
import type { OrderFrame } from '@seckill/contracts';

/**
 * A shopper's socket waiting on one uuid. Kept small: a notifier holds 100,000 of them (docs/notifier.md,
 * Capacity), so what it has been sent is a bit set and its slot a number.
 */
export interface WaitingSocket {
  ws: WebSocket;
  uuid: string;
  userId: number;
  /** The frames already sent (frameBit): pushes can race a replay. */
  sent: number;
  missedPongs: number;
  /** When it connected (ms), and when PostgreSQL was last asked for its outcome (the safety net). */
  since: number;
  checkedAt?: number;
  /** Its slot among the user's sockets across instances (UserSocketSlots), numbered by this instance; 0: none. */
  slot: number;
  /** In LocalSockets (and counted as a connection). */
  registered: boolean;
  /** Whether the uuid is known to be this user's; until it is, the wait is bounded (UNOWNED_TIMEOUT). */
  owned: boolean;
}

const STATUS_BITS: Record<string, number> = { PAID: 2, CANCELLED: 4, TIMEOUT: 8 };
export const RESULT_BIT = 1;

/** One bit per frame a socket can be sent: the result, and each later status. */
export function frameBit(frame: OrderFrame): number {
  return frame.type === 'order.result' ? RESULT_BIT : (STATUS_BITS[frame.status] ?? 0);
}

/** The sockets this instance holds, by uuid. Any number of sockets (tabs) may wait on one uuid. */
export class LocalSockets {
  private readonly byUuid = new Map<string, WaitingSocket[]>();
  private count = 0;

  /** Returns true when this is the first socket for the uuid on this instance (time to register it). */
  add(s: WaitingSocket): boolean {
    const tabs = this.byUuid.get(s.uuid);
    this.count++;
    if (tabs) {
      tabs.push(s);
      return false;
    }
    this.byUuid.set(s.uuid, [s]);
    return true;
  }

  /** Returns true when the uuid has no socket left here (time to unregister it). */
  remove(s: WaitingSocket): boolean {
    const tabs = this.byUuid.get(s.uuid);
    const at = tabs?.indexOf(s) ?? -1;
    if (!tabs || at < 0) return false;
    tabs.splice(at, 1);
    this.count--;
    if (tabs.length > 0) return false;
    this.byUuid.delete(s.uuid);
    return true;
  }

  of(uuid: string): readonly WaitingSocket[] {
    return [...(this.byUuid.get(uuid) ?? [])];
  }

  uuids(): string[] {
    return [...this.byUuid.keys()];
  }

  all(): WaitingSocket[] {
    return [...this.byUuid.values()].flat();
  }

  get size(): number {
    return this.count;
  }
}
