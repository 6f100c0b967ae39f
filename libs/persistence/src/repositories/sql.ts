import type { DataSource, EntityManager, QueryRunner } from 'typeorm';

/** Anything that runs a parameterised statement: the pool, a transaction, a query runner. */
export type Sql = Pick<DataSource | EntityManager | QueryRunner, 'query'>;

/** The unique_violation SQLSTATE: a row the constraint says may exist once already does. */
export const UNIQUE_VIOLATION = '23505';

export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: unknown; driverError?: { code?: unknown } };
  return e?.code === UNIQUE_VIOLATION || e?.driverError?.code === UNIQUE_VIOLATION;
}
