import { EventEmitter } from 'node:events';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * - `pass`: bytes flow both ways.
 * - `drop`: every connection is reset and new ones are reset on accept (the server looks gone).
 * - `blackhole`: connections stay open but nothing is forwarded; what arrives is held and delivered when the
 *   fault ends, as TCP does after a partition heals. New connections are accepted but not connected upstream
 *   until then, so a client cannot tell from the handshake that anything is wrong.
 */
export type ProxyMode = 'pass' | 'drop' | 'blackhole';

interface Side {
  socket?: Socket;
  /** Bytes that arrived from the other side while they could not be forwarded. */
  held: Buffer[];
  /** The other side finished (FIN or close) while held: finish this side once the held bytes are out. */
  finishAfterHeld: boolean;
}

/** One client connection and its upstream twin. */
interface Link {
  client: Side & { socket: Socket };
  upstream: Side;
  connecting: boolean;
}

/** Events: `held` (bytes buffered instead of forwarded), `connection` (accepted), `upstream` (connected upstream). */
export class FaultProxy extends EventEmitter {
  private readonly links = new Set<Link>();
  private currentMode: ProxyMode = 'pass';
  /** Bytes held since the proxy started; tests wait on the `held` event for it instead of sleeping. */
  heldBytes = 0;

  private constructor(
    private readonly server: Server,
    private readonly target: { host: string; port: number },
  ) {
    super();
  }

  /** Listens on 127.0.0.1 (`port` 0: any free port) and forwards to `target`. */
  static async start(target: { host: string; port: number }, port = 0): Promise<FaultProxy> {
    const server = createServer({ noDelay: true });
    const proxy = new FaultProxy(server, target);
    server.on('connection', (socket) => proxy.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    return proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get mode(): ProxyMode {
    return this.currentMode;
  }

  get connections(): number {
    return this.links.size;
  }

  /** `url` with its host and port replaced by this proxy's (for DATABASE_URL, RABBITMQ_URL…). */
  rewrite(url: string): string {
    const u = new URL(url);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }

  setMode(mode: ProxyMode): void {
    const before = this.currentMode;
    this.currentMode = mode;
    if (mode === 'drop') {
      for (const link of [...this.links]) this.destroy(link);
      return;
    }
    if (mode === 'pass' && before === 'blackhole') {
      for (const link of [...this.links]) this.heal(link);
    }
  }

  async close(): Promise<void> {
    for (const link of [...this.links]) this.destroy(link);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    if (this.currentMode === 'drop') {
      socket.on('error', () => undefined);
      socket.resetAndDestroy();
      return;
    }
    const link: Link = { client: { socket, held: [], finishAfterHeld: false }, upstream: { held: [], finishAfterHeld: false }, connecting: false };
    this.links.add(link);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.forward(link.upstream, chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => this.onClosed(link, link.upstream));
    this.emit('connection');
    if (this.currentMode === 'pass') this.connectUpstream(link);
  }

  private connectUpstream(link: Link): void {
    if (link.upstream.socket || link.connecting) return;
    link.connecting = true;
    const up = connect({ host: this.target.host, port: this.target.port, noDelay: true });
    up.on('error', () => undefined);
    up.once('connect', () => {
      link.connecting = false;
      link.upstream.socket = up;
      this.emit('upstream');
      if (this.currentMode === 'pass') this.flush(link.upstream);
    });
    up.on('data', (chunk: Buffer) => this.forward(link.client, chunk));
    // An upstream that refuses or goes away takes the client connection with it, as a real server would.
    up.on('close', () => {
      link.connecting = false;
      link.upstream.socket ??= up;
      this.onClosed(link, link.client);
    });
  }

  /** Bytes for `to` (the side they are headed to): forwarded now, or held while the path is down. */
  private forward(to: Side, chunk: Buffer): void {
    if (this.currentMode === 'pass' && to.socket && to.held.length === 0 && !to.socket.destroyed) {
      to.socket.write(chunk);
      return;
    }
    to.held.push(chunk);
    this.heldBytes += chunk.length;
    this.emit('held', chunk.length);
  }

  /** The side opposite `to` closed: in pass mode close `to` too (after what is held for it); else remember. */
  private onClosed(link: Link, to: Side): void {
    if (!this.links.has(link)) return;
    if (this.currentMode === 'blackhole') {
      to.finishAfterHeld = true;
      return;
    }
    to.finishAfterHeld = true;
    this.flush(to);
    if (link.client.socket.destroyed && (!link.upstream.socket || link.upstream.socket.destroyed)) this.links.delete(link);
  }

  private heal(link: Link): void {
    if (!link.upstream.socket) {
      // Nothing ever reached the server; if the client already gave up there is nothing to deliver.
      if (link.client.socket.destroyed) return void this.links.delete(link);
      this.connectUpstream(link);
    } else {
      this.flush(link.upstream);
    }
    this.flush(link.client);
  }

  private flush(to: Side): void {
    const socket = to.socket;
    if (!socket) return;
    if (!socket.destroyed) for (const chunk of to.held.splice(0)) socket.write(chunk);
    if (to.finishAfterHeld && !socket.destroyed) socket.end();
  }

  private destroy(link: Link): void {
    link.client.socket.resetAndDestroy();
    link.upstream.socket?.destroy();
    this.links.delete(link);
  }
}
