type Child = Node | string | null | undefined | false;
type AttrValue = string | number | boolean | null | undefined;

/**
 * Creates an element. Text always goes in as text nodes, never as HTML: item and sale names come from an admin
 * form and queue names from the broker, and none may inject markup. `true` sets an empty attribute;
 * false/null/undefined leave it out.
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, AttrValue> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  return fill(document.createElement(tag), attrs, children);
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** `h` for SVG elements (charts). */
export function s<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, AttrValue> = {}, ...children: Child[]): SVGElementTagNameMap[K] {
  return fill(document.createElementNS(SVG_NS, tag), attrs, children);
}

function fill<E extends Element>(el: E, attrs: Record<string, AttrValue>, children: Child[]): E {
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    el.setAttribute(name, value === true ? '' : String(value));
  }
  el.append(...children.filter((c): c is Node | string => c !== null && c !== undefined && c !== false));
  return el;
}

/** The element with this id, of this type, or a clear error (the page's HTML and script ship together). */
export function byId<T extends HTMLElement>(id: string, type: new () => T): T {
  const el = document.getElementById(id);
  if (!(el instanceof type)) throw new Error(`#${id} is missing from the page`);
  return el;
}

/** Writes only on change: a periodic refresh must not re-announce unchanged live regions or reset selections. */
export function setText(el: Element, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

/** A polite announcement for screen readers, outside any widget (login, logout, results, lost connection). */
export class Announcer {
  constructor(private readonly region: HTMLElement) {}

  say(text: string): void {
    // Clearing first makes the same sentence announced twice in a row still count as a change.
    this.region.textContent = '';
    window.setTimeout(() => (this.region.textContent = text), 50);
  }
}
