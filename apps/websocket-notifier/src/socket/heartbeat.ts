import type { WebSocket } from 'ws';

/** What the heartbeat needs of a socket: the socket, and the pongs it has not answered yet. */
export interface Beating {
  ws: WebSocket;
  missedPongs: number;
}

/**
 * One heartbeat over a notifier's sockets (the contract: a ping every interval, a socket that missed two pongs is
 * dropped). Terminates the silent, pings the rest, and returns the rest, whose leases the caller renews.
 */
export function heartbeat<S extends Beating>(sockets: Iterable<S>): S[] {
  const alive: S[] = [];
  for (const s of sockets) {
    if (s.missedPongs >= 2) {
      s.ws.terminate();
      continue;
    }
    s.missedPongs++;
    s.ws.ping();
    alive.push(s);
  }
  return alive;
}
