import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WsAdapter } from '@nestjs/platform-ws';
import type { WebSocketServer } from 'ws';

/**
 * Nest's WsAdapter routes an upgrade only when the path equals a gateway's `path` exactly. Our sockets live
 * at `/{uuid}` (the contract's path), so every upgrade on the HTTP server is handed to the one gateway, which
 * reads the uuid from the request and closes with 4400 if it is not one.
 */
export class UuidPathWsAdapter extends WsAdapter {
  protected override ensureHttpServerExists(port: number, server: Server = createServer()): Server | undefined {
    if (this.httpServersRegistry.has(port)) return undefined;
    this.httpServersRegistry.set(port, server);
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      const [wsServer] = (this.wsServersRegistry.get(port) ?? []) as unknown as WebSocketServer[];
      if (!wsServer) {
        socket.destroy();
        return;
      }
      wsServer.handleUpgrade(request, socket, head, (ws) => wsServer.emit('connection', ws, request));
    });
    return server;
  }
}
