import type { WebSocket } from 'ws';
import type { OrderFrame } from '@seckill/contracts';

/** A shopper's socket waiting on one uuid, with what it has already been sent (pushes can race a replay). */
export interface WaitingSocket {
  ws: WebSocket;
  uuid: string;
  userId: number;
  sent: Set<string>;
  missedPongs: number;
  /** When it connected (ms), and when PostgreSQL was last asked for its outcome (the safety net). */
  since: number;
  checkedAt?: number;
  /** Its slot among the user's sockets across instances (UserSocketSlots). */
  slotId: string;
  /** Whether the uuid is known to be this user's; until it is, a timer bounds the wait (UNOWNED_TIMEOUT). */
  owned: boolean;
  unownedTimer?: NodeJS.Timeout;
}

export function frameKey(frame: OrderFrame): string {
  return frame.type === 'order.result' ? 'result' : `status:${frame.status}`;
}

/** The sockets this instance holds, by uuid. Any number of sockets (tabs) may wait on one uuid. */
export class LocalSockets {
  private readonly byUuid = new Map<string, Set<WaitingSocket>>();
  private count = 0;

  /** Returns true when this is the first socket for the uuid on this instance (time to subscribe). */
  add(s: WaitingSocket): boolean {
    let set = this.byUuid.get(s.uuid);
    const first = !set;
    if (!set) this.byUuid.set(s.uuid, (set = new Set()));
    set.add(s);
    this.count++;
    return first;
  }

  /** Returns true when the uuid has no socket left here (time to unsubscribe). */
  remove(s: WaitingSocket): boolean {
    const set = this.byUuid.get(s.uuid);
    if (!set?.delete(s)) return false;
    this.count--;
    if (set.size > 0) return false;
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
    return [...this.byUuid.values()].flatMap((set) => [...set]);
  }

  get size(): number {
    return this.count;
  }
}
