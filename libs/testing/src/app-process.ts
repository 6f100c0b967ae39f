import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

/** Repository root, from dist/libs/testing/src. */
export const REPO_ROOT = resolve(__dirname, '../../../..');
export const ARTIFACTS = join(REPO_ROOT, 'artifacts');

export type AppName = 'order-api' | 'order-worker' | 'websocket-notifier';

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? res(addr.port) : rej(new Error('no port'))));
    });
  });
}

/**
 * A product process started from its compiled entry point, as in production. Its log goes to
 * artifacts/logs/<label>.log so a failing run can be read afterwards.
 */
export class AppProcess {
  private child?: ChildProcess;
  private exited?: Promise<number | null>;
  private exitInfo?: { code: number | null; signal: NodeJS.Signals | null };

  constructor(
    readonly app: AppName,
    readonly label: string,
    readonly port: number,
    private readonly env: Record<string, string>,
    /** Extra Node.js options placed before the entry point (e.g. `--cpu-prof` for a profiling run). */
    private readonly nodeArgs: readonly string[] = [],
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** How the process ended (exit code or signal); undefined while it runs or before it started. */
  get exit(): { code: number | null; signal: NodeJS.Signals | null } | undefined {
    return this.exitInfo;
  }

  /** Starts the process and resolves once /health answers 200 (or rejects if the process dies first). */
  async start(timeoutMs = 30_000): Promise<void> {
    const portVar = { 'order-api': 'ORDER_API_PORT', 'order-worker': 'ORDER_WORKER_PORT', 'websocket-notifier': 'NOTIFIER_PORT' }[this.app];
    mkdirSync(join(ARTIFACTS, 'logs'), { recursive: true });
    const log = createWriteStream(join(ARTIFACTS, 'logs', `${this.label}.log`), { flags: 'a' });
    const child = spawn(process.execPath, [...this.nodeArgs, join(REPO_ROOT, 'dist/apps', this.app, 'src/main.js')], {
      env: { ...process.env, ...this.env, [portVar]: String(this.port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // One log for both streams, ended once both are done: a pipe that ended it with stdout would make a late
    // stderr write (a crash report) throw "write after end" in the parent.
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    child.once('close', () => log.end());
    outliveNoParent(child);
    this.child = child;
    this.exited = new Promise((res) =>
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        res(code);
      }),
    );
    const deadline = Date.now() + timeoutMs;
    let dead = false;
    void this.exited.then(() => (dead = true));
    while (Date.now() < deadline) {
      if (dead) throw new Error(`${this.label} exited during start; see artifacts/logs/${this.label}.log`);
      try {
        const res = await fetch(`${this.url}/health`);
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${this.label} did not become healthy in ${timeoutMs} ms`);
  }

  /** Sends a signal and waits for the exit (SIGKILL simulates a crash). */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return this.child?.exitCode ?? null;
    this.child.kill(signal);
    return this.exited!;
  }
}

// The apps a process started die with it, however it ends (a failed assertion that skips `after`, an uncaught
// error, process.exit): a leftover order-worker would keep consuming from a vhost the next run reuses.
const live = new Set<ChildProcess>();
function outliveNoParent(child: ChildProcess): void {
  if (live.size === 0) process.once('exit', killLive);
  live.add(child);
  child.once('exit', () => {
    live.delete(child);
    if (live.size === 0) process.removeListener('exit', killLive);
  });
}
function killLive(): void {
  for (const child of live) child.kill('SIGKILL');
}
