export const MARKERS = { start: '<!-- chaos-results:start -->', end: '<!-- chaos-results:end -->' } as const;

/** `doc` with everything between the markers replaced by `block`; the text around them is kept byte for byte. */
export function replaceResults(doc: string, block: string): string {
  const start = doc.indexOf(MARKERS.start);
  const end = doc.indexOf(MARKERS.end);
  if (start === -1 || end === -1 || end < start) throw new Error(`the document has no ${MARKERS.start} … ${MARKERS.end} block to rewrite`);
  if (doc.indexOf(MARKERS.start, start + 1) !== -1) throw new Error(`the document has ${MARKERS.start} twice`);
  return `${doc.slice(0, start + MARKERS.start.length)}\n${block.trim()}\n${doc.slice(end)}`;
}
