import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { INestApplicationContext } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import type { WebSocket, WebSocketServer } from 'ws';

export interface GuardedUpgrade<T extends object> {
  /** Largest frame a client may send (ws closes a bigger one with 1009 itself). */
  maxPayload: number;
  /** Checks made before the socket exists; a refusal is told its close code and never reaches the gateway. */
  screen: (req: IncomingMessage) => { refuse: number; reason: string } | T;
  /** Closes a refused socket (and counts it). */
  refuse: (ws: WebSocket, code: number, reason: string) => void;
  /** Takes a socket that passed the screen, with what the screen found (the request is not kept). */
  admit: (ws: WebSocket, screened: T) => void;
}

/**
 * Nest's WsAdapter routes an upgrade only when the path equals a gateway's `path` exactly. Our sockets live
 * at `/{uuid}` (the contract's path), so every upgrade on the HTTP server is handed to the one gateway.
 *
 * The upgrade is screened first (path, token, this instance's limit). A refused client still completes the
 * handshake — the contract tells it why with a close code (4400, 4401, 1013), which needs an open socket — but
 * it is closed at once here: no gateway handler, no listener, no registry entry, no slot ever exists for it.
 *
 * An admitted socket goes straight to the guard's `admit`, not through ws's 'connection' event: Nest would
 * build a per-socket RxJS pipeline for message handlers the gateway does not have (~1.5 KiB a socket,
 * docs/notifier.md, Capacity), and would hold the upgrade request until the handler returned.
 */
export class UuidPathWsAdapter<T extends object> extends WsAdapter {
  constructor(
    app: INestApplicationContext,
    private readonly guard: GuardedUpgrade<T>,
  ) {
    super(app);
  }

  override create(port: number, options: Record<string, unknown> & { namespace?: string; server?: unknown } = {}): WebSocketServer {
    return super.create(port, { ...options, maxPayload: this.guard.maxPayload }) as WebSocketServer;
  }

  protected override ensureHttpServerExists(port: number, server: Server = createServer()): Server | undefined {
    if (this.httpServersRegistry.has(port)) return undefined;
    this.httpServersRegistry.set(port, server);
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      const [wsServer] = (this.wsServersRegistry.get(port) ?? []) as unknown as WebSocketServer[];
      if (!wsServer) {
        socket.destroy();
        return;
      }
      let screened: ReturnType<GuardedUpgrade<T>['screen']>;
      try {
        screened = this.guard.screen(request);
      } catch {
        socket.destroy();
        return;
      }
      wsServer.handleUpgrade(request, socket, head, (ws) => {
        if ('refuse' in screened) {
          ws.on('error', () => undefined);
          this.guard.refuse(ws, screened.refuse, screened.reason);
          return;
        }
        this.guard.admit(ws, screened);
      });
    });
    return server;
  }
}
