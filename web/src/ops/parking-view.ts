import type { QueueOps } from '@seckill/contracts';
import { h, setText } from '../web-common/dom.js';
import { dotted, setData } from './dom.js';
import { fmtInt, plural } from './format.js';

/** One parking lot: its count, where its messages came from, and the replay button with its last result. */
export class LotCard {
  readonly li: HTMLLIElement;
  readonly button: HTMLButtonElement;
  readonly result: HTMLParagraphElement;
  private readonly count: HTMLSpanElement;
  private readonly unit = h('span', { class: 'lot-unit' });
  private readonly source = h('code');
  private busy = false;
  lot: QueueOps;

  constructor(lot: QueueOps, onReplay: (card: LotCard) => void) {
    this.lot = lot;
    const name = lot.name;
    this.count = h('span', { class: 'lot-count-value', 'data-testid': `lot-${name}-count` });
    this.button = h('button', { type: 'button', class: 'button button-danger', 'data-testid': `replay-${name}` }, 'Replay');
    this.button.addEventListener('click', () => onReplay(this));
    this.result = h('p', { class: 'lot-result', role: 'status', 'data-testid': `replay-result-${name}` });
    this.li = h(
      'li',
      { class: 'lot', 'data-testid': `lot-${name}` },
      h('div', { class: 'lot-head' }, h('h3', { class: 'lot-name' }, ...dotted(name)), h('p', { class: 'lot-source' }, 'back to ', this.source)),
      h('p', { class: 'lot-count' }, this.count, ' ', this.unit),
      h('div', { class: 'lot-actions' }, this.button),
      this.result,
    );
    this.update(lot);
  }

  update(lot: QueueOps): void {
    this.lot = lot;
    setText(this.count, fmtInt(lot.messages));
    setText(this.unit, lot.messages === 1 ? 'message parked' : 'messages parked');
    setText(this.source, lot.source ?? 'its source queue');
    setData(this.li, 'state', lot.messages > 0 ? 'parked' : 'empty');
    this.refreshButton();
  }

  setBusy(busy: boolean): void {
    this.busy = busy;
    this.li.setAttribute('aria-busy', String(busy));
    this.refreshButton();
  }

  showResult(state: 'ok' | 'error', text: string, replayed?: number): void {
    setData(this.result, 'state', state);
    if (replayed !== undefined) setData(this.result, 'replayed', String(replayed));
    else delete this.result.dataset['replayed'];
    setText(this.result, text);
  }

  private refreshButton(): void {
    const messages = this.lot.messages;
    // Disabled, not hidden, when empty: the control stays where operators expect it. aria-disabled while busy
    // keeps it focusable, so keyboard focus is not thrown to <body> mid-replay.
    this.button.disabled = !this.busy && messages === 0;
    this.button.setAttribute('aria-disabled', String(this.busy));
    setText(this.button, this.busy ? 'Replaying…' : messages > 0 ? `Replay ${plural(messages, 'message')}` : 'Nothing to replay');
  }

  get isBusy(): boolean {
    return this.busy;
  }
}

/** Parking lots: messages no consumer could handle, waiting for an operator to fix the cause and replay them. */
export class ParkingView {
  private readonly cards = new Map<string, LotCard>();

  constructor(
    private readonly list: HTMLUListElement,
    private readonly empty: HTMLElement,
    private readonly onReplay: (card: LotCard) => void,
  ) {}

  render(queues: readonly QueueOps[]): void {
    const lots = queues.filter((q) => q.isParkingLot);
    const seen = new Set(lots.map((l) => l.name));
    const ordered = lots.map((lot) => {
      let card = this.cards.get(lot.name);
      if (!card) {
        card = new LotCard(lot, this.onReplay);
        this.cards.set(lot.name, card);
      } else card.update(lot);
      return card.li;
    });
    for (const [name, card] of this.cards) {
      if (!seen.has(name)) {
        card.li.remove();
        this.cards.delete(name);
      }
    }
    if (ordered.some((li, i) => this.list.children[i] !== li)) this.list.replaceChildren(...ordered);
    this.empty.hidden = lots.length > 0;
  }

  clear(): void {
    this.cards.clear();
    this.list.replaceChildren();
  }
}
