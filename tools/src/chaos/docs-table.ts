export const MARKERS = { start: '<!-- chaos-results:start -->', end: '<!-- chaos-results:end -->' } as const;

/**
 * `doc` with everything between the markers replaced by `block`; the text around them is kept byte for byte.
 * Other tools (the lab) pass markers of their own.
 */
export function replaceResults(doc: string, block: string, markers: { start: string; end: string } = MARKERS): string {
  const start = doc.indexOf(markers.start);
  const end = doc.indexOf(markers.end);
  if (start === -1 || end === -1 || end < start) throw new Error(`the document has no ${markers.start} … ${markers.end} block to rewrite`);
  if (doc.indexOf(markers.start, start + 1) !== -1) throw new Error(`the document has ${markers.start} twice`);
  return `${doc.slice(0, start + markers.start.length)}\n${block.trim()}\n${doc.slice(end)}`;
}
