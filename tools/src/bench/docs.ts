import { readFileSync, writeFileSync } from 'node:fs';

/** Where `npm run bench -- --write-docs` puts its generated text in docs/benchmarks.md. */
export const MARKERS = {
  table: { start: '<!-- bench:table:start -->', end: '<!-- bench:table:end -->' },
  profile: { start: '<!-- bench:profile:start -->', end: '<!-- bench:profile:end -->' },
} as const;

/**
 * Replaces what stands between `start` and `end` (the markers stay), so the hand-written text around the
 * generated tables is kept. Throws when the markers are missing or out of order: rewriting a document whose
 * structure changed must be a visible failure, not a silently appended second copy. Pure.
 */
export function replaceBetween(doc: string, start: string, end: string, content: string): string {
  const from = doc.indexOf(start);
  const to = doc.indexOf(end);
  if (from < 0 || to < 0 || to < from) throw new Error(`markers ${start} … ${end} not found (in this order) in the document`);
  return `${doc.slice(0, from + start.length)}\n${content.trim()}\n${doc.slice(to)}`;
}

export function rewriteDocs(path: string, sections: { table: string; profile?: string }): void {
  let doc = readFileSync(path, 'utf8');
  doc = replaceBetween(doc, MARKERS.table.start, MARKERS.table.end, sections.table);
  if (sections.profile !== undefined) doc = replaceBetween(doc, MARKERS.profile.start, MARKERS.profile.end, sections.profile);
  writeFileSync(path, doc);
}
