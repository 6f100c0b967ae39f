import { execFile, execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';

export interface RunAs {
  /** Run as this system user (through `runuser`) when we are root; as ourselves otherwise. */
  user?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}

function argv(file: string, args: readonly string[], o: RunAs): [string, string[]] {
  return o.user && process.getuid?.() === 0 ? ['runuser', ['-u', o.user, '--', file, ...args]] : [file, [...args]];
}

/** Runs a command to its end; rejects with its output when it fails, so the reason reaches the log. */
export function run(file: string, args: readonly string[], o: RunAs = {}): Promise<string> {
  const [cmd, full] = argv(file, args, o);
  return new Promise((resolve, reject) => {
    execFile(cmd, full, { env: { ...process.env, ...o.env }, timeout: o.timeoutMs ?? 60_000, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${[file, ...args].join(' ')} failed: ${err.message.split('\n')[0]}\n${stdout}${stderr}`.trim()));
      else resolve(stdout);
    });
  });
}

/** The same, blocking: only for the process 'exit' handler, where nothing asynchronous runs any more. */
export function runSync(file: string, args: readonly string[], o: RunAs = {}): void {
  const [cmd, full] = argv(file, args, o);
  try {
    execFileSync(cmd, full, { env: { ...process.env, ...o.env }, timeout: o.timeoutMs ?? 30_000, stdio: 'ignore' });
  } catch {
    // best effort at exit
  }
}

/** The newest PostgreSQL server binaries installed the Debian way (/usr/lib/postgresql/<version>/bin). */
export function postgresBinDir(root = '/usr/lib/postgresql'): string {
  let versions: string[];
  try {
    versions = readdirSync(root).filter((v) => /^\d+(\.\d+)?$/.test(v));
  } catch {
    throw new Error(`no PostgreSQL server under ${root} (initdb and pg_ctl are needed for the private server)`);
  }
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error(`no PostgreSQL version under ${root}`);
  return `${root}/${newest}/bin`;
}

/** Resolves once something accepts TCP connections on the port, rejects at the deadline. */
export async function waitForPort(port: number, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${what} did not listen on ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** uid and gid of a system user, from /etc/passwd (the private servers' directories must belong to it). */
export function userIds(user: string, passwd = readFileSync('/etc/passwd', 'utf8')): { uid: number; gid: number } {
  const line = passwd.split('\n').find((l) => l.startsWith(`${user}:`));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined) throw new Error(`no system user "${user}" (needed to run the private server)`);
  return { uid: Number(uid), gid: Number(gid) };
}
