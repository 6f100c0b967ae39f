import { createServer, type Server, type Socket } from 'node:net';

/**
 * For the suites of node lists (int tests only): the ways a node of a list can be gone, on loopback. A listening
 * server of the test's choosing (one that resets, stalls or answers 5xx) and a port nothing listens on.
 */
export class StandInNodes {
  readonly servers: Server[] = [];
  readonly sockets = new Set<Socket>();

  /** Starts `server` on a free loopback port, tracking its sockets so `close()` can cut them. */
  async listen(server: Server, port = 0): Promise<number> {
    this.servers.push(server);
    server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((listening) => server.listen(port, '127.0.0.1', listening));
    return (server.address() as { port: number }).port;
  }

  /** A port nothing listens on: a node whose process is gone. */
  async closedPort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    const { port } = server.address() as { port: number };
    await new Promise((done) => server.close(done));
    return port;
  }

  /** Cuts every open connection, leaving the servers listening. */
  cut(): void {
    for (const s of this.sockets) s.destroy();
  }

  async close(): Promise<void> {
    this.cut();
    await Promise.all(this.servers.map((s) => new Promise((done) => s.close(done))));
  }
}
