type Child = Node | string | null | undefined | false;
type AttrValue = string | number | boolean | null | undefined;

/**
 * Creates an element. Text always goes in as text nodes, never as HTML: sale names come from an admin form and
 * queue names from the broker, and neither may inject markup. `true` sets an empty attribute.
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, AttrValue> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  el.append(...children.filter((c): c is Node | string => c !== null && c !== undefined && c !== false));
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function s<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, AttrValue> = {}, ...children: Child[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  setAttrs(el, attrs);
  el.append(...children.filter((c): c is Node | string => c !== null && c !== undefined && c !== false));
  return el;
}

function setAttrs(el: Element, attrs: Record<string, AttrValue>): void {
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    el.setAttribute(name, value === true ? '' : String(value));
  }
}

/** A dotted name (a queue) that may wrap after its dots, never mid-word, in a narrow card or dialog. */
export function dotted(name: string): Node[] {
  return name.split(/(?<=\.)/).flatMap((part, i) => (i === 0 ? [document.createTextNode(part)] : [document.createElement('wbr'), document.createTextNode(part)]));
}

/** The element with this id, of this type, or a clear error (the page's HTML and script ship together). */
export function byId<T extends HTMLElement>(id: string, type: new () => T): T {
  const el = document.getElementById(id);
  if (!(el instanceof type)) throw new Error(`#${id} is missing from the page`);
  return el;
}

/** Writes only on change: a poll every 2 s must not re-announce unchanged live regions or reset selections. */
export function setText(el: Element, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

export function setData(el: HTMLElement | SVGElement, key: string, value: string): void {
  if (el.dataset[key] !== value) el.dataset[key] = value;
}

/** A polite announcement for screen readers, outside any widget (login, replay results, lost connection). */
export class Announcer {
  constructor(private readonly region: HTMLElement) {}

  say(text: string): void {
    // Clearing first makes the same sentence announced twice in a row still count as a change.
    this.region.textContent = '';
    window.setTimeout(() => (this.region.textContent = text), 50);
  }
}
