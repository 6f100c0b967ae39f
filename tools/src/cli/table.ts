/** Result tables of the command-line tools (chaos, lab): the same cells for the terminal and for markdown. */

/** Padded columns, numbers right-aligned, a rule under the header. */
export function textTable(header: readonly string[], rows: readonly string[][], numeric: ReadonlySet<number>): string {
  const all = [[...header], ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (numeric.has(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** A markdown table, numbers right-aligned, `|` in a cell escaped. */
export function markdownTable(header: readonly string[], rows: readonly string[][], numeric: ReadonlySet<number>): string {
  const escape = (c: string) => c.replace(/\|/g, '\\|');
  const align = header.map((_, i) => (numeric.has(i) ? '---:' : '---'));
  return [`| ${header.join(' | ')} |`, `|${align.join('|')}|`, ...rows.map((r) => `| ${r.map(escape).join(' | ')} |`)].join('\n');
}
