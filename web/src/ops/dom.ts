/** A dotted name (a queue) that may wrap after its dots, never mid-word, in a narrow card or dialog. */
export function dotted(name: string): Node[] {
  return name.split(/(?<=\.)/).flatMap((part, i) => (i === 0 ? [document.createTextNode(part)] : [document.createElement('wbr'), document.createTextNode(part)]));
}

export function setData(el: HTMLElement | SVGElement, key: string, value: string): void {
  if (el.dataset[key] !== value) el.dataset[key] = value;
}
