import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

/**
 * A redis-server of our own, as a child process on its own port with persistence off: killing it and starting a
 * new one on the same port is "Redis restarted empty".
 */
export class PrivateRedis {
  private child?: ChildProcess;
  private exited?: Promise<void>;

  constructor(
    private readonly dir: string,
    readonly port: number,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(timeoutMs = 15_000): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    const log = createWriteStream(join(this.dir, 'redis.log'), { flags: 'a' });
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    child.once('close', () => log.end());
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const deadline = Date.now() + timeoutMs;
    while (!(await ping(this.port))) {
      if (!this.running) throw new Error(`redis-server on ${this.port} exited at start; see ${join(this.dir, 'redis.log')}`);
      if (Date.now() > deadline) throw new Error(`redis-server on ${this.port} did not answer PING within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** SIGKILL: whatever it held is gone. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child!.kill('SIGKILL');
    await this.exited;
  }

  async destroy(): Promise<void> {
    await this.kill();
  }

  destroySync(): void {
    if (this.running) this.child!.kill('SIGKILL');
  }
}

/** One PING over a raw connection (no client library: it would reconnect and retry on its own). */
export function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    let text = '';
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(2000, () => done(false));
    s.once('connect', () => s.write('PING\r\n'));
    s.on('data', (c: Buffer) => {
      text += c.toString();
      if (text.includes('\r\n')) done(text.startsWith('+PONG'));
    });
    s.once('error', () => done(false));
  });
}
