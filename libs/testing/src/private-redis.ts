import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection } from 'node:net';
import { freePort } from './app-process';

/**
 * A redis-server of a test's own (never the shared one), so a test can stop and restart it: on a free port,
 * nothing kept on disk, so a restart comes back empty, as after a crash of a Redis that persists nothing.
 */
export class PrivateRedis {
  private child?: ChildProcess;

  private constructor(
    readonly port: number,
    /** With a password, the server refuses every client that does not AUTH first (requirepass). */
    readonly password?: string,
  ) {}

  static async start(opts: { password?: string } = {}): Promise<PrivateRedis> {
    const r = new PrivateRedis(await freePort(), opts.password);
    await r.start();
    return r;
  }

  /** True from start() until stop() (or an exit of its own). */
  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get url(): string {
    return this.password === undefined ? `redis://127.0.0.1:${this.port}` : `redis://:${encodeURIComponent(this.password)}@127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const auth = this.password === undefined ? [] : ['--requirepass', this.password];
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...auth], { stdio: 'ignore' });
    this.child = child;
    const deadline = Date.now() + 10_000;
    while (!(await answersPing(this.port, this.password))) {
      if (child.exitCode !== null) throw new Error(`redis-server on ${this.port} exited with ${child.exitCode}`);
      if (Date.now() > deadline) throw new Error(`redis-server on ${this.port} did not answer within 10 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Kills it (SIGKILL: as a crash); everything it held is gone. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }

  async restartEmpty(): Promise<void> {
    await this.stop();
    await this.start();
  }
}

function answersPing(port: number, password: string | undefined): Promise<boolean> {
  // AUTH as one RESP array, so a password with spaces or quotes stays one argument.
  const auth = password === undefined ? '' : `*2\r\n$4\r\nAUTH\r\n$${Buffer.byteLength(password)}\r\n${password}\r\n`;
  const expected = password === undefined ? '+PONG' : '+OK\r\n+PONG';
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' }, () => socket.write(`${auth}PING\r\n`));
    socket.setTimeout(500, () => (socket.destroy(), resolve(false)));
    let answer = '';
    socket.on('data', (b) => {
      answer += b.toString();
      if (answer.startsWith(expected) || !expected.startsWith(answer.slice(0, expected.length))) {
        socket.destroy();
        resolve(answer.startsWith(expected));
      }
    });
    socket.once('error', () => resolve(false));
  });
}
