import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

/** A command that failed; the message carries its output, so the reason reaches the lab's log. */
export class CommandError extends Error {
  override name = 'CommandError';
}

export interface RunOptions {
  env?: Record<string, string>;
  timeoutMs?: number;
}

/** Runs a command to its end and resolves with its stdout. */
export function run(file: string, args: readonly string[], o: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, [...args], { env: { ...process.env, ...o.env }, timeout: o.timeoutMs ?? 60_000, maxBuffer: 8 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new CommandError(`${[file, ...args].join(' ')} failed: ${err.message.split('\n')[0]}\n${stdout}${stderr}`.trim()));
      else resolve(stdout);
    });
  });
}

/** The same inside a host's network namespace (`ip netns exec` also bind-mounts /etc/netns/<ns>/hosts). */
export function runIn(ns: string, file: string, args: readonly string[], o: RunOptions = {}): Promise<string> {
  return run('ip', ['netns', 'exec', ns, file, ...args], o);
}

/** Blocking, best effort: for the `exit` hook, where nothing asynchronous runs any more. */
export function runSync(file: string, args: readonly string[]): string {
  try {
    return execFileSync(file, [...args], { timeout: 20_000, stdio: ['ignore', 'pipe', 'ignore'] }).toString();
  } catch {
    return '';
  }
}

/**
 * A long-running process inside a namespace. `ip netns exec` execs the command, so the child's pid is the
 * server's own (SIGKILL reaches it, not a wrapper). Its output goes straight to a log file, not through a pipe of
 * ours: the process never depends on the lab's event loop to write.
 */
export class NsProcess {
  private readonly exited: Promise<void>;
  private exitInfo?: { code: number | null; signal: NodeJS.Signals | null };

  private constructor(
    readonly label: string,
    readonly child: ChildProcess,
    readonly logFile: string,
  ) {
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        resolve();
      }),
    );
  }

  static spawn(label: string, ns: string, file: string, args: readonly string[], o: { env?: Record<string, string>; logFile: string; cwd?: string }): NsProcess {
    const fd = openSync(o.logFile, 'a');
    try {
      const child = spawn('ip', ['netns', 'exec', ns, file, ...args], {
        env: { ...process.env, ...o.env },
        stdio: ['ignore', fd, fd],
        // A process group of its own: a Ctrl-C at the terminal reaches the lab, which takes everything down in
        // order, rather than every server at once.
        detached: true,
        ...(o.cwd ? { cwd: o.cwd } : {}),
      });
      // An error to spawn `ip` itself surfaces as an exit; the log and `exit` say what happened.
      child.on('error', () => undefined);
      return new NsProcess(label, child, o.logFile);
    } finally {
      closeSync(fd);
    }
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitInfo === undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** How it ended, for messages: `exit 1`, `SIGKILL`. */
  get ending(): string | undefined {
    return this.exitInfo && (this.exitInfo.signal ?? `exit ${this.exitInfo.code}`);
  }

  /** Sends the signal and waits until the process is gone (SIGKILL after `graceMs` if it is still there). */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.child.kill(signal);
    if (signal === 'SIGKILL') return this.exited;
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  wait(): Promise<void> {
    return this.exited;
  }
}

/**
 * Polls `check` until it yields a value (not undefined/false), rejecting at the deadline with `what` and the last
 * reason. Used to wait for servers and clusters to reach a state: there is nothing to subscribe to.
 */
export async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined | false>, o: { everyMs?: number; signal?: AbortSignal } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    if (o.signal?.aborted) throw new Error(`interrupted while waiting for ${what}`);
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err instanceof Error ? err.message.split('\n')[0]! : String(err);
    }
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${Math.round(timeoutMs / 1000)} s${last ? ` (last: ${last})` : ''}`);
    await delay(o.everyMs ?? 250);
  }
}
