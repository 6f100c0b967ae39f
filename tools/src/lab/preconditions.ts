import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { REPO_ROOT } from '@seckill/testing';
import { RABBITMQ_SERVER, RABBITMQCTL } from './hosts/rabbitmq';

/** What the checks look at, so that they are unit-tested on a made-up machine. */
export interface Machine {
  platform: string;
  uid: number | undefined;
  /** An executable on PATH, by name. */
  onPath(name: string): boolean;
  /** An executable file at this path. */
  executable(path: string): boolean;
  /** PostgreSQL server bin directories (/usr/lib/postgresql/<version>/bin). */
  postgresBins(): string[];
  exists(path: string): boolean;
}

/** Each missing piece, with what installs it on Debian. */
export function problems(m: Machine): string[] {
  const out: string[] = [];
  if (m.platform !== 'linux') return [`the lab needs Linux network namespaces; this is ${m.platform}`];
  if (m.uid !== 0) out.push('the lab must run as root (it creates network namespaces, a bridge and veth pairs): sudo npm run lab');
  const tools: [string, string][] = [
    ['ip', 'iproute2'],
    ['setpriv', 'util-linux'],
    ['redis-server', 'redis-server'],
    ['redis-cli', 'redis-tools'],
  ];
  for (const [name, pkg] of tools) if (!m.onPath(name)) out.push(`${name} not found: apt-get install ${pkg}`);
  for (const file of [RABBITMQ_SERVER, RABBITMQCTL]) if (!m.executable(file)) out.push(`${file} not found: apt-get install rabbitmq-server`);
  const pg = m.postgresBins().find((bin) => m.executable(join(bin, 'initdb')) && m.executable(join(bin, 'postgres')));
  if (!pg) out.push('PostgreSQL server binaries (initdb, postgres under /usr/lib/postgresql/<version>/bin) not found: apt-get install postgresql-15');
  const entries = ['dist/apps/order-api/src/main.js', 'dist/apps/order-worker/src/main.js', 'dist/apps/websocket-notifier/src/main.js', 'dist/tools/src/migrate.js'];
  const missing = entries.filter((e) => !m.exists(join(REPO_ROOT, e)));
  if (missing.length) out.push(`not built (${missing.join(', ')}): node scripts/build.mjs`);
  return out;
}

export function thisMachine(): Machine {
  const executable = (path: string) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  return {
    platform: process.platform,
    uid: process.getuid?.(),
    onPath: (name) => (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(delimiter).some((dir) => executable(join(dir, name))),
    executable,
    postgresBins: () => {
      try {
        return readdirSync('/usr/lib/postgresql').map((v) => join('/usr/lib/postgresql', v, 'bin'));
      } catch {
        return [];
      }
    },
    exists: existsSync,
  };
}
