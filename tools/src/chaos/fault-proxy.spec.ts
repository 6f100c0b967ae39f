import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import { FaultProxy } from './fault-proxy';

/** An upstream that echoes, and keeps its side of every connection so a test can talk from the server end. */
class Upstream {
  readonly sockets: Socket[] = [];
  received = 0;
  private constructor(readonly server: Server) {}

  static async start(): Promise<Upstream> {
    const server = createServer();
    const up = new Upstream(server);
    server.on('connection', (s) => {
      up.sockets.push(s);
      s.on('error', () => undefined);
      s.on('data', (chunk: Buffer) => {
        up.received += chunk.length;
        s.write(chunk);
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return up;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }
}

/** A client that accumulates what it reads and lets the test wait for an exact text. */
class Client {
  text = '';
  closed = false;
  errored?: string;
  private waiters: (() => void)[] = [];
  constructor(readonly socket: Socket) {
    socket.on('data', (c: Buffer) => {
      this.text += c.toString();
      this.wake();
    });
    socket.on('error', (e: NodeJS.ErrnoException) => (this.errored = e.code ?? e.message));
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  static async open(port: number): Promise<Client> {
    const socket = connect({ host: '127.0.0.1', port });
    const client = new Client(socket);
    await once(socket, 'connect');
    return client;
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  async until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (have "${this.text}", closed ${this.closed})`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, deadline - Date.now()).unref();
      });
    }
  }
}

const held = (proxy: FaultProxy, bytes: number) => new Promise<void>((resolve) => {
  const target = proxy.heldBytes + bytes;
  const onHeld = () => {
    if (proxy.heldBytes >= target) {
      proxy.off('held', onHeld);
      resolve();
    }
  };
  proxy.on('held', onHeld);
});

describe('FaultProxy', () => {
  let upstream: Upstream;
  let proxy: FaultProxy;
  const clients: Client[] = [];
  const open = async () => {
    const c = await Client.open(proxy.port);
    clients.push(c);
    return c;
  };

  before(async () => {
    upstream = await Upstream.start();
  });
  after(() => upstream.server.close());
  afterEach(async () => {
    for (const c of clients.splice(0)) c.socket.destroy();
    await proxy.close();
  });

  it('passes bytes both ways, and rewrites a URL to point at itself', async () => {
    proxy = await FaultProxy.start({ host: '127.0.0.1', port: upstream.port });
    const c = await open();
    c.socket.write('hello');
    await c.until(() => c.text === 'hello', 'the echo');
    assert.equal(proxy.rewrite('postgres://postgres@127.0.0.1:5432/db?x=1'), `postgres://postgres@127.0.0.1:${proxy.port}/db?x=1`);
  });

  it('black-holes both directions and new connections, then delivers everything held, in order', async () => {
    proxy = await FaultProxy.start({ host: '127.0.0.1', port: upstream.port });
    const c = await open();
    c.socket.write('a');
    await c.until(() => c.text === 'a', 'the first echo');
    const serverSide = upstream.sockets.at(-1)!;
    const before = { received: upstream.received, connections: upstream.sockets.length };

    proxy.setMode('blackhole');
    let heldNow = held(proxy, 2);
    c.socket.write('bc');
    await heldNow;
    assert.equal(upstream.received, before.received, 'nothing reached the server while black-holed');

    heldNow = held(proxy, 6);
    serverSide.write('pushed');
    await heldNow;
    assert.equal(c.text, 'a', 'nothing reached the client while black-holed');

    // A new connection is accepted at once, but the server hears nothing of it until the fault ends.
    const accepted = once(proxy, 'connection');
    const late = await open();
    await accepted;
    heldNow = held(proxy, 4);
    late.socket.write('late');
    await heldNow;
    assert.equal(upstream.sockets.length, before.connections, 'no upstream connection was made for it');

    proxy.setMode('pass');
    await c.until(() => c.text === 'apushedbc', 'the held bytes, server push first then the echo');
    await late.until(() => late.text === 'late', 'the late connection connected upstream and echoed');
    assert.equal(upstream.sockets.length, before.connections + 1);
  });

  it('passes a close that happened during the black hole on once it heals', async () => {
    proxy = await FaultProxy.start({ host: '127.0.0.1', port: upstream.port });
    const c = await open();
    c.socket.write('x');
    await c.until(() => c.text === 'x', 'the echo');
    proxy.setMode('blackhole');
    const heldNow = held(proxy, 3);
    upstream.sockets.at(-1)!.end('bye');
    await heldNow;
    assert.equal(c.closed, false, 'the client does not see the close during the fault');
    proxy.setMode('pass');
    await c.until(() => c.closed, 'the close');
    assert.equal(c.text, 'xbye', 'what the server sent before closing arrives first');
  });

  it('drop resets every connection and refuses new ones until it passes again', async () => {
    proxy = await FaultProxy.start({ host: '127.0.0.1', port: upstream.port });
    const c = await open();
    c.socket.write('1');
    await c.until(() => c.text === '1', 'the echo');
    const serverSide = upstream.sockets.at(-1)!;
    const serverClosed = once(serverSide, 'close');

    proxy.setMode('drop');
    await c.until(() => c.closed, 'the reset');
    await serverClosed;
    assert.equal(proxy.connections, 0);

    const refused = new Client(connect({ host: '127.0.0.1', port: proxy.port }));
    clients.push(refused);
    refused.socket.write('anyone?');
    await refused.until(() => refused.closed, 'the refusal');
    assert.equal(refused.text, '', 'a refused connection gets no answer');

    proxy.setMode('pass');
    const again = await open();
    again.socket.write('back');
    await again.until(() => again.text === 'back', 'the echo after the fault');
  });

  it('closes the client when the upstream is not listening', async () => {
    const gone = createServer();
    gone.listen(0, '127.0.0.1');
    await once(gone, 'listening');
    const port = (gone.address() as AddressInfo).port;
    await new Promise<void>((resolve) => gone.close(() => resolve()));
    proxy = await FaultProxy.start({ host: '127.0.0.1', port });
    const c = await open();
    await c.until(() => c.closed, 'the close');
  });
});
