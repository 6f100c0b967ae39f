import { chownSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { postgresBinDir, run, runSync, userIds } from './command';

const USER = 'postgres';

/**
 * A PostgreSQL cluster of our own: `initdb` into a temp directory, `pg_ctl` on its own port with its socket in
 * that directory, trust authentication on loopback. It can be stopped and started again on the same data, which
 * is the fault; the shared server on 5432 is never touched.
 */
export class PrivatePostgres {
  private readonly bin = postgresBinDir();
  private readonly data: string;
  private readonly sockets: string;
  running = false;

  constructor(
    private readonly dir: string,
    readonly port: number,
  ) {
    this.data = join(dir, 'data');
    this.sockets = join(dir, 'sockets');
  }

  /** The maintenance database; environments create their own next to it. */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  private own(path: string): void {
    mkdirSync(path, { recursive: true });
    if (process.getuid?.() === 0) {
      const { uid, gid } = userIds(USER);
      chownSync(path, uid, gid);
    }
  }

  async init(): Promise<void> {
    this.own(this.dir);
    this.own(this.sockets);
    await run(`${this.bin}/initdb`, ['-D', this.data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync', '--no-instructions'], { user: USER });
  }

  async start(): Promise<void> {
    // fsync off: the data must survive a stop, not a power cut, and the machine's disk is shared.
    const options = [
      `-p ${this.port}`,
      `-k ${this.sockets}`,
      '-c listen_addresses=127.0.0.1',
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
      '-c max_connections=200',
    ].join(' ');
    await run(`${this.bin}/pg_ctl`, ['-D', this.data, '-l', join(this.dir, 'postgres.log'), '-w', '-t', '60', '-o', options, 'start'], { user: USER, timeoutMs: 70_000 });
    this.running = true;
  }

  /** `fast` ends every session and shuts down cleanly; `immediate` is a crash (recovery at the next start). */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await run(`${this.bin}/pg_ctl`, ['-D', this.data, '-w', '-t', '60', '-m', mode, 'stop'], { user: USER, timeoutMs: 70_000 });
    this.running = false;
  }

  async destroy(): Promise<void> {
    if (this.running) await this.stop('immediate').catch(() => undefined);
  }

  destroySync(): void {
    if (this.running) runSync(`${this.bin}/pg_ctl`, ['-D', this.data, '-w', '-m', 'immediate', 'stop'], { user: USER });
    this.running = false;
  }
}
