import type { DataSource } from 'typeorm';

/** Readiness check: PostgreSQL answers a trivial query. */
export function postgresCheck(db: DataSource): { name: string; check(): Promise<unknown> } {
  return { name: 'postgres', check: () => db.query('SELECT 1') };
}
