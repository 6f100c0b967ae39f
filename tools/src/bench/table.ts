/** Text and Markdown tables, and the number formats the bench prints. Pure. */

export interface Column {
  header: string;
  align?: 'left' | 'right';
}

/** A fixed-width table for the terminal. */
export function textTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((c, i) => Math.max(c.header.length, ...rows.map((r) => (r[i] ?? '').length)));
  const cell = (text: string, i: number) => (columns[i]!.align === 'right' ? text.padStart(widths[i]!) : text.padEnd(widths[i]!));
  const line = (cells: readonly string[]) => columns.map((_, i) => cell(cells[i] ?? '', i)).join('  ').trimEnd();
  return [line(columns.map((c) => c.header)), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** A GitHub-flavoured Markdown table (pipes in cells escaped). */
export function markdownTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const head = `| ${columns.map((c) => esc(c.header)).join(' | ')} |`;
  const rule = `|${columns.map((c) => (c.align === 'right' ? '---:' : '---')).join('|')}|`;
  return [head, rule, ...rows.map((r) => `| ${columns.map((_, i) => esc(r[i] ?? '')).join(' | ')} |`)].join('\n');
}

/** 61234.5 → "61,235"; NaN → "n/a". */
export function formatCount(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a';
}

/** A throughput: "61,235/s". */
export function formatRate(n: number): string {
  return Number.isFinite(n) ? `${formatCount(n)}/s` : 'n/a';
}

/** A ratio: 0.834 → "0.83×", 12.3 → "12.3×". */
export function formatRatio(r: number): string {
  if (!Number.isFinite(r)) return 'n/a';
  return `${r >= 10 ? r.toFixed(1) : r.toFixed(2)}×`;
}

export function formatPct(p: number): string {
  return Number.isFinite(p) ? `${p.toFixed(p >= 10 ? 0 : 1)}%` : 'n/a';
}

/** Bytes as KiB or MiB. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return 'n/a';
  return Math.abs(bytes) >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

/** Microseconds as a latency: "850 µs", "12.3 ms", "1.20 s". */
export function formatLatencyUs(us: number): string {
  if (!Number.isFinite(us)) return 'n/a';
  if (us < 1000) return `${Math.round(us)} µs`;
  if (us < 1_000_000) return `${(us / 1000).toFixed(us < 10_000 ? 2 : 1)} ms`;
  return `${(us / 1_000_000).toFixed(2)} s`;
}

/** Seconds with millisecond resolution: "0.312 s". */
export function formatSeconds(s: number): string {
  return Number.isFinite(s) ? `${s.toFixed(3)} s` : 'n/a';
}

/** Milliseconds: "4.56 ms", "123.4 ms", "4.59 s". */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  return `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
}

/** A relative change: +12% / −8% / ±0%. */
export function formatChange(value: number, base: number): string {
  if (!Number.isFinite(value) || !Number.isFinite(base) || base === 0) return '';
  const pct = ((value - base) / base) * 100;
  if (Math.abs(pct) < 0.5) return '±0%';
  return `${pct > 0 ? '+' : '−'}${Math.abs(pct).toFixed(0)}%`;
}
