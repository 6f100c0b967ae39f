import { appendFileSync, chownSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { postgresBinDir, userIds } from '../../chaos/servers/command';
import { NsProcess, run, waitFor } from '../exec';
import { namespaceOf, PORTS, SUBNET, type Host } from '../layout';

const USER = 'postgres';

/**
 * PostgreSQL on its own host: a private `initdb` data directory, the postmaster in the host's namespace as the
 * postgres user (setpriv execs it, so the pid we hold is the postmaster's), listening on the host's address,
 * trust authentication for the lab subnet only. fsync off: the data must outlive a scenario, not a power cut.
 */
export class PostgresHost {
  private proc?: NsProcess;
  private readonly bin = postgresBinDir();

  constructor(
    readonly host: Host,
    private readonly dir: string,
    private readonly logDir: string,
  ) {}

  url(database: string): string {
    return `postgres://postgres@${this.host.address}:${PORTS.postgres}/${database}`;
  }

  private get asPostgres(): string[] {
    const { uid, gid } = userIds(USER);
    return ['--reuid', String(uid), '--regid', String(gid), '--init-groups'];
  }

  async start(signal?: AbortSignal): Promise<void> {
    const data = join(this.dir, 'data');
    const sockets = join(this.dir, 'sockets');
    const { uid, gid } = userIds(USER);
    for (const d of [this.dir, sockets]) {
      mkdirSync(d, { recursive: true });
      chownSync(d, uid, gid);
    }
    await run('setpriv', [...this.asPostgres, `${this.bin}/initdb`, '-D', data, '-U', USER, '-A', 'trust', '-E', 'UTF8', '--no-sync', '--no-instructions'], { timeoutMs: 120_000 });
    appendFileSync(join(data, 'pg_hba.conf'), `\n# the lab's hosts\nhost all all ${SUBNET} trust\n`);
    this.proc = NsProcess.spawn(
      this.host.name,
      namespaceOf(this.host),
      'setpriv',
      [
        ...this.asPostgres,
        `${this.bin}/postgres`,
        '-D', data,
        '-c', `listen_addresses=${this.host.address}`,
        '-c', `port=${PORTS.postgres}`,
        '-c', `unix_socket_directories=${sockets}`,
        '-c', 'fsync=off',
        '-c', 'synchronous_commit=off',
        '-c', 'full_page_writes=off',
        '-c', 'max_connections=300',
      ],
      { logFile: join(this.logDir, `${this.host.name}.log`) },
    );
    const proc = this.proc;
    await waitFor(
      'PostgreSQL accepting connections',
      60_000,
      async () => {
        if (!proc.running) throw new Error(`postgres exited (${proc.ending}); see ${proc.logFile}`);
        const c = new Client({ connectionString: this.url('postgres'), connectionTimeoutMillis: 2_000 });
        await c.connect();
        await c.end();
        return true;
      },
      { everyMs: 200, ...(signal ? { signal } : {}) },
    );
  }

  async destroy(): Promise<void> {
    // SIGQUIT: immediate shutdown (the data directory is deleted with the lab anyway).
    await this.proc?.stop('SIGQUIT', 5_000);
  }
}
