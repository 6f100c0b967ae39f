import { appConfig } from '@seckill/config';
import { createLogger } from '@seckill/observability';
import { migrate } from '@seckill/persistence';

/** `npm run db:migrate`: creates the database if missing and applies pending migrations. Idempotent. */
async function main(): Promise<void> {
  const log = createLogger('migrate');
  const config = appConfig();
  const applied = await migrate(config.DATABASE_URL);
  const db = new URL(config.DATABASE_URL).pathname.slice(1);
  log.info({ database: db, applied }, applied.length ? `applied ${applied.length} migration(s)` : 'schema up to date');
}

main().catch((err: unknown) => {
  console.error(`migrate: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
