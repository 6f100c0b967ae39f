import type { RoomClosedReason } from '@seckill/contracts';
import { describeDuration, formatCountdown, serverNow } from './clock.js';
import { h, setText } from '../web-common/dom.js';
import type { Via } from './order-watch.js';
import { describeEta, roomClosedTitle } from './words.js';

/**
 * `data-state` of a room panel (tests and styles key on these). `idle`: not in the room, or through it (the
 * outcome panel below takes over); `expired`: admitted, but the turn ran out before an order went in.
 */
export type RoomPanelState = 'idle' | 'joining' | 'waiting' | 'admitted' | 'closed' | 'expired';

export interface WaitingView {
  position: number;
  ahead: number;
  etaSeconds: number;
  /** 0..1: how far the place has moved since joining. */
  progress: number;
  via: Via | null;
  /** Said once above the numbers, e.g. why the shopper is back in line. */
  note?: string;
}

/** Screen readers hear the place at most this often (it changes every ~2 s; reading each one out helps no one). */
const SPEAK_EVERY_MS = 20_000;

/**
 * What the shopper sees of an item's waiting room: the place in line with people ahead, the estimated wait and a
 * progress bar; then the admission with the time left on it, or the room closed. The headline and a spoken
 * summary sit in a live region that exists from the start; the numbers that move every two seconds sit outside
 * it, and the summary is refreshed only every SPEAK_EVERY_MS (or when the state changes).
 */
export class RoomPanel {
  readonly el: HTMLDivElement;
  private readonly live: HTMLDivElement;
  private readonly icon: HTMLSpanElement;
  private readonly title: HTMLParagraphElement;
  private readonly spoken: HTMLSpanElement;
  private readonly body: HTMLDivElement;
  private lastSpoken = 0;
  private waitingParts: { position: HTMLElement; ahead: HTMLElement; eta: HTMLElement; bar: HTMLElement; fill: HTMLElement; note: HTMLElement } | null = null;
  private expiresAt: number | null = null;
  private countdown: HTMLElement | null = null;
  private timer: number | undefined;
  private buyButton: HTMLButtonElement | null = null;

  constructor(
    private readonly itemId: number,
    private readonly actions: {
      /** "Buy now" while admitted (after an order that did not go in for a passing reason). */
      buy(): void;
      /** "Join the line again" once the turn ran out. */
      rejoin(): void;
      /** The time left on the admission reached zero. */
      expired(): void;
    },
  ) {
    this.icon = h('span', { class: 'room-icon', 'aria-hidden': 'true' });
    this.title = h('p', { class: 'room-title' });
    this.spoken = h('span', { class: 'sr-only' });
    this.live = h('div', { class: 'room-live', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' }, this.icon, this.title, this.spoken);
    this.body = h('div', { class: 'room-body' });
    this.el = h('div', { class: 'room', 'data-testid': `room-${itemId}`, 'data-state': 'idle', hidden: true }, this.live, this.body);
  }

  get state(): RoomPanelState {
    return this.el.dataset['state'] as RoomPanelState;
  }

  idle(): void {
    this.show('idle', '', []);
  }

  joining(): void {
    this.show('joining', 'Joining the waiting room…', [], 'spinner');
  }

  waiting(view: WaitingView): void {
    if (this.state !== 'waiting' || !this.waitingParts) this.buildWaiting();
    const parts = this.waitingParts;
    if (!parts) return;
    const percent = Math.round(Math.min(1, Math.max(0, view.progress)) * 100);
    setText(parts.position, String(view.position));
    setText(parts.ahead, String(view.ahead));
    setText(parts.eta, describeEta(view.etaSeconds));
    parts.fill.style.width = `${percent}%`;
    parts.bar.setAttribute('aria-valuenow', String(percent));
    parts.bar.dataset['progress'] = String(percent);
    setText(parts.note, view.note ?? '');
    parts.note.hidden = !view.note;
    this.el.dataset['position'] = String(view.position);
    this.el.dataset['ahead'] = String(view.ahead);
    if (view.via) this.el.dataset['via'] = view.via;
    const now = Date.now();
    if (now - this.lastSpoken >= SPEAK_EVERY_MS) {
      this.lastSpoken = now;
      const who = view.ahead === 1 ? '1 person is' : `${view.ahead} people are`;
      setText(this.spoken, `You are number ${view.position} in line; ${who} ahead of you. Estimated wait: ${describeEta(view.etaSeconds)}.`);
    }
  }

  /** `retry`: the order did not go in for a passing reason; the shopper may try again while the turn lasts. */
  admitted(expiresAt: string, retry: boolean): void {
    const countdown = h('strong', { class: 'countdown', 'data-testid': `room-expires-${this.itemId}`, 'aria-hidden': 'true' });
    const deadline = Date.parse(expiresAt);
    const held = h('p', { class: 'room-detail' }, retry ? 'Your turn is held for ' : 'Placing your order. Your turn is held for ', countdown, h('span', { class: 'sr-only' }, describeDuration(deadline - serverNow())), '.');
    const buy = retry ? h('button', { type: 'button', class: 'button button-buy', 'data-testid': `room-buy-${this.itemId}` }, 'Buy now') : null;
    buy?.addEventListener('click', () => this.actions.buy());
    this.show('admitted', 'It’s your turn!', [held, buy ?? ''], '✓');
    this.countdown = countdown;
    this.buyButton = buy;
    this.expiresAt = deadline;
    this.tick();
    this.timer = window.setInterval(() => this.tick(), 1000);
  }

  /** The admission is in use (an order is on its way): a second click must not send the token twice. */
  setBuying(buying: boolean): void {
    if (!this.buyButton) return;
    this.buyButton.disabled = buying;
    setText(this.buyButton, buying ? 'Placing your order…' : 'Buy now');
  }

  closed(reason: RoomClosedReason | undefined): void {
    this.el.dataset['reason'] = reason ?? 'SOLD_OUT';
    this.show('closed', roomClosedTitle(reason), [h('p', { class: 'room-detail' }, reason === 'ENDED' ? 'This sale is over. Thanks for waiting.' : 'Every unit has been taken. Better luck next sale!')], '×');
  }

  expired(): void {
    const rejoin = h('button', { type: 'button', class: 'button button-buy', 'data-testid': `room-rejoin-${this.itemId}` }, 'Join the line again');
    rejoin.addEventListener('click', () => this.actions.rejoin());
    this.show('expired', 'Your turn ran out', [h('p', { class: 'room-detail' }, 'The place held for you has gone. Join again to get a new one, at the back of the line.'), rejoin], '!');
  }

  private buildWaiting(): void {
    const position = h('strong', { class: 'room-position-value', 'data-testid': `room-position-${this.itemId}` });
    const ahead = h('strong', { 'data-testid': `room-ahead-${this.itemId}` });
    const eta = h('strong', { 'data-testid': `room-eta-${this.itemId}` });
    const fill = h('span', { class: 'room-progress-fill' });
    const bar = h('div', { class: 'room-progress', role: 'progressbar', 'aria-label': 'Your progress in line', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': 0, 'data-testid': `room-progress-${this.itemId}`, 'data-progress': 0 }, fill);
    const note = h('p', { class: 'room-note', hidden: true });
    this.show('waiting', 'You are in the waiting room', [
      note,
      h('p', { class: 'room-place' }, h('span', { class: 'room-place-label' }, 'Your place in line'), position),
      h('dl', { class: 'room-facts' }, h('div', {}, h('dt', {}, 'Ahead of you'), h('dd', {}, ahead)), h('div', {}, h('dt', {}, 'Estimated wait'), h('dd', {}, eta))),
      bar,
      h('p', { class: 'room-hint' }, 'Keep this page open: your order starts by itself when it is your turn.'),
    ]);
    this.waitingParts = { position, ahead, eta, bar, fill, note };
    this.lastSpoken = 0;
  }

  /** `icon`: a glyph beside the headline, or `spinner`; none while waiting (the place number speaks for itself). */
  private show(state: RoomPanelState, title: string, body: (Node | string)[], icon: string | null = null): void {
    window.clearInterval(this.timer);
    this.timer = undefined;
    this.expiresAt = null;
    this.countdown = null;
    this.buyButton = null;
    this.waitingParts = null;
    this.el.dataset['state'] = state;
    this.el.hidden = state === 'idle';
    if (state !== 'waiting') {
      delete this.el.dataset['position'];
      delete this.el.dataset['ahead'];
    }
    if (state !== 'closed') delete this.el.dataset['reason'];
    if (state === 'idle') delete this.el.dataset['via'];
    setText(this.title, title);
    setText(this.icon, icon === 'spinner' ? '' : (icon ?? ''));
    this.icon.className = icon === 'spinner' ? 'spinner' : 'room-icon';
    this.icon.hidden = icon === null;
    setText(this.spoken, '');
    this.body.replaceChildren(...body);
  }

  private tick(): void {
    if (this.expiresAt === null || !this.countdown) return;
    const left = this.expiresAt - serverNow();
    setText(this.countdown, formatCountdown(left));
    this.countdown.classList.toggle('urgent', left < 30_000);
    if (left > 0) return;
    window.clearInterval(this.timer);
    this.timer = undefined;
    this.actions.expired();
  }
}
