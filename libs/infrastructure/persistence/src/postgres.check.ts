import { Client } from 'pg';
import type { DependencyCheck } from '@seckill/observability';

/**
 * Readiness and outage detection: a connection of its own (not one from the pool: a pool busy with a flood
 * would make a healthy database look down) that answers `SELECT 1`. Any failure drops it, so the next probe
 * connects afresh and sees the database as it is now.
 */
export function postgresCheck(databaseUrl: string, opts: { critical?: boolean; timeoutMs?: number } = {}): DependencyCheck & { close(): Promise<void> } {
  let client: Client | undefined;
  const timeoutMs = opts.timeoutMs ?? 1000;
  const drop = () => {
    const c = client;
    client = undefined;
    void c?.end().catch(() => undefined);
  };
  return {
    name: 'postgres',
    ...(opts.critical === false ? { critical: false } : {}),
    async check() {
      try {
        if (!client) {
          const c = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs, application_name: 'seckill-probe' });
          c.on('error', drop);
          client = c;
          await c.connect();
        }
        await client.query('SELECT 1');
        return true;
      } catch (err) {
        drop();
        throw err;
      }
    },
    async close() {
      const c = client;
      client = undefined;
      await c?.end().catch(() => undefined);
    },
  };
}
