import type { RoomOps, WaitingRoomSettings } from '@seckill/contracts';
import { h, setText } from '../web-common/dom.js';
import { setData } from './dom.js';
import { fmtInt, fmtRate } from './format.js';

const PHASE_WORDS: Record<RoomOps['phase'], string> = { OFF: 'Off', PRE_QUEUE: 'Pre-queue', ADMITTING: 'Admitting', CLOSED: 'Closed' };
/** Phases as the badge styles of the sales table know them. */
const PHASE_BADGE: Record<RoomOps['phase'], string> = { OFF: 'ended', PRE_QUEUE: 'upcoming', ADMITTING: 'live', CLOSED: 'sold_out' };
/** The limits of PUT …/waiting-room (admitPerSecond 1..100000, whole numbers). */
export const RATE_MIN = 1;
export const RATE_MAX = 100_000;

type StatKey = 'waiting' | 'admitted' | 'outstanding' | 'rate' | 'sold' | 'left' | 'prequeue';
const STATS: readonly [StatKey, string, string?][] = [
  ['waiting', 'Waiting'],
  ['admitted', 'Admitted'],
  ['outstanding', 'Outstanding', 'Admission tokens handed out and neither used nor expired yet'],
  ['rate', 'Rate'],
  ['sold', 'Sold'],
  ['left', 'Stock left', 'In Redis (the gate); — until loaded'],
  ['prequeue', 'Pre-queue', 'How long before the start the room opens'],
];

/** One room: its numbers, updated on every poll, and the form that changes its rate and switches it on or off. */
export class RoomCard {
  readonly li: HTMLLIElement;
  readonly form: HTMLFormElement;
  readonly button: HTMLButtonElement;
  readonly rate: HTMLInputElement;
  readonly enabled: HTMLInputElement;
  readonly result: HTMLParagraphElement;
  private readonly name = h('span', { class: 'room-name' });
  private readonly badge = h('span', { class: 'badge' });
  private readonly stats = new Map<StatKey, HTMLElement>();
  /** The operator has typed or ticked something not applied yet: polls must not overwrite it. */
  private edited = false;
  private busy = false;
  room: RoomOps;

  constructor(room: RoomOps, onApply: (card: RoomCard) => void) {
    this.room = room;
    const id = room.seckillGoodId;
    const rateId = `room-${id}-rate-input`;
    const hintId = `room-${id}-rate-hint`;
    this.rate = h('input', { id: rateId, type: 'number', inputmode: 'numeric', min: RATE_MIN, max: RATE_MAX, step: 1, required: true, 'aria-describedby': hintId, 'data-testid': `room-rate-${id}` });
    this.enabled = h('input', { type: 'checkbox', 'data-testid': `room-enabled-${id}` });
    this.button = h('button', { type: 'submit', class: 'button button-primary', 'data-testid': `room-apply-${id}` }, 'Apply');
    this.result = h('p', { class: 'room-result', role: 'status', 'data-testid': `room-result-${id}` });
    const edit = () => {
      this.edited = true;
      this.refreshButton();
    };
    this.rate.addEventListener('input', edit);
    this.enabled.addEventListener('change', edit);
    this.form = h(
      'form',
      { class: 'room-form', 'data-testid': `room-form-${id}`, 'aria-label': `Waiting room settings of sale #${id}` },
      h('div', { class: 'field' }, h('label', { for: rateId }, 'Admit per second'), this.rate, h('p', { class: 'hint', id: hintId }, `${fmtInt(RATE_MIN)}–${fmtInt(RATE_MAX)} shoppers a second`)),
      h('label', { class: 'check' }, this.enabled, ' Room on'),
      this.button,
    );
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (!this.busy && this.form.reportValidity()) onApply(this);
    });
    const dl = h('dl', { class: 'room-stats' });
    for (const [key, label, title] of STATS) {
      const dd = h('dd', { 'data-testid': `room-${id}-${key}` });
      this.stats.set(key, dd);
      dl.append(h('div', { title }, h('dt', {}, label), dd));
    }
    this.li = h(
      'li',
      { class: 'room', 'data-testid': `room-${id}` },
      h('div', { class: 'room-head' }, h('h3', { class: 'room-title' }, this.name, h('span', { class: 'sale-id' }, `#${id}`)), this.badge),
      dl,
      this.form,
      this.result,
    );
    this.update(room);
  }

  update(room: RoomOps): void {
    this.room = room;
    setText(this.name, room.name);
    setText(this.badge, PHASE_WORDS[room.phase]);
    this.badge.className = `badge badge-${PHASE_BADGE[room.phase]}`;
    setData(this.li, 'phase', room.phase);
    setData(this.li, 'enabled', String(room.enabled));
    this.stat('waiting', fmtInt(room.waiting));
    this.stat('admitted', fmtInt(room.admitted));
    this.stat('outstanding', fmtInt(room.outstanding));
    this.stat('rate', fmtRate(room.admitPerSecond));
    this.stat('sold', fmtInt(room.sold));
    this.stat('left', fmtInt(room.stockLeft));
    this.stat('prequeue', formatSeconds(room.preQueueSeconds));
    if (!this.edited) this.reset();
    this.refreshButton();
  }

  /** What the form asks for (the pre-queue window is kept as it is). */
  settings(): WaitingRoomSettings {
    return { enabled: this.enabled.checked, admitPerSecond: Number(this.rate.value), preQueueSeconds: this.room.preQueueSeconds };
  }

  /** Back to what the server holds (after a change was applied, or cancelled). */
  reset(): void {
    this.edited = false;
    const rate = String(this.room.admitPerSecond);
    if (this.rate.value !== rate) this.rate.value = rate;
    this.enabled.checked = this.room.enabled;
    this.refreshButton();
  }

  setBusy(busy: boolean): void {
    this.busy = busy;
    this.li.setAttribute('aria-busy', String(busy));
    this.refreshButton();
  }

  get isBusy(): boolean {
    return this.busy;
  }

  showResult(state: 'ok' | 'error', text: string): void {
    setData(this.result, 'state', state);
    setText(this.result, text);
  }

  private stat(key: StatKey, text: string): void {
    const dd = this.stats.get(key);
    if (dd) setText(dd, text);
  }

  private refreshButton(): void {
    // aria-disabled while busy keeps the button focusable, so keyboard focus is not thrown to <body> mid-call.
    this.button.disabled = !this.busy && !this.edited;
    this.button.setAttribute('aria-disabled', String(this.busy));
    setText(this.button, this.busy ? 'Applying…' : 'Apply');
  }
}

/** Waiting rooms: every item with one (on, or off with shoppers still in it), one card each. */
export class RoomsView {
  private readonly cards = new Map<number, RoomCard>();

  constructor(
    private readonly list: HTMLUListElement,
    private readonly empty: HTMLElement,
    private readonly onApply: (card: RoomCard) => void,
  ) {}

  render(rooms: readonly RoomOps[]): void {
    const seen = new Set(rooms.map((r) => r.seckillGoodId));
    const ordered = rooms.map((room) => {
      let card = this.cards.get(room.seckillGoodId);
      if (!card) {
        card = new RoomCard(room, this.onApply);
        this.cards.set(room.seckillGoodId, card);
      } else card.update(room);
      return card.li;
    });
    for (const [id, card] of this.cards) {
      if (!seen.has(id)) {
        card.li.remove();
        this.cards.delete(id);
      }
    }
    // Re-append only when the order changed: moving a card would take the focus out of its form.
    if (ordered.some((li, i) => this.list.children[i] !== li)) this.list.replaceChildren(...ordered);
    this.empty.hidden = rooms.length > 0;
  }

  clear(): void {
    this.cards.clear();
    this.list.replaceChildren();
  }
}

/** `0 s`, `45 s`, `10 min`, `1 h 30 min`. */
function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const rest = minutes % 60;
  return `${Math.floor(minutes / 60)} h${rest > 0 ? ` ${rest} min` : ''}`;
}
