import type { DataSource, EntityManager, QueryRunner } from 'typeorm';

/** Anything that runs a parameterised statement: the pool, a transaction, a query runner. */
export type Sql = Pick<DataSource | EntityManager | QueryRunner, 'query'>;

/** The row an INSERT … RETURNING gives back; its absence means the statement did not do what it says. */
export function returnedRow<T>(rows: readonly T[], statement: string): T {
  const [row] = rows;
  if (row === undefined) throw new Error(`${statement} returned no row`);
  return row;
}

/** The unique_violation SQLSTATE: a row the constraint says may exist once already does. */
export const UNIQUE_VIOLATION = '23505';

export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: unknown; driverError?: { code?: unknown } };
  return e?.code === UNIQUE_VIOLATION || e?.driverError?.code === UNIQUE_VIOLATION;
}
