/** Numbers as operators read them: grouped thousands, rates with one decimal below 10/s, a dash for "unknown". */

const INT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const SMALL = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1, minimumFractionDigits: 0 });

export const DASH = '—';

export function isNum(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

export function fmtInt(value: number | null | undefined): string {
  return isNum(value) ? INT.format(value) : DASH;
}

export function fmtRate(value: number | null | undefined): string {
  if (!isNum(value)) return DASH;
  return `${Math.abs(value) < 10 ? SMALL.format(value) : INT.format(value)}/s`;
}

/** A drift with its sign, so "+3" (Redis promises more than PostgreSQL holds) and "−3" read differently. */
export function fmtSigned(value: number | null | undefined): string {
  if (!isNum(value)) return DASH;
  if (value === 0) return '0';
  return value > 0 ? `+${INT.format(value)}` : `−${INT.format(-value)}`;
}

export function fmtClock(at: number): string {
  return new Date(at).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${fmtInt(n)} ${n === 1 ? one : many}`;
}
