import type { SaleItem, SaleStatus } from '@seckill/contracts';
import { formatCountdown, formatDateTime, serverNow } from './clock.js';
import { h, setText } from '../web-common/dom.js';
import { discountPercent, formatPrice } from './money.js';
import { OutcomePanel, type PanelHost } from './outcome-panel.js';
import { Purchase, type PurchaseHost } from './purchase.js';
import { WaitingRoomVisit } from './waiting-room.js';

export interface CardHost extends PurchaseHost, PanelHost {
  askToLogIn(message: string): void;
}

const BADGE: Record<SaleStatus, string> = { live: 'Live now', upcoming: 'Coming soon', sold_out: 'Sold out', ended: 'Ended' };
/** Countdowns longer than this read better as a date. */
const COUNTDOWN_LIMIT_MS = 24 * 3600_000;
/** At or below this share of the stock the card says "Only N left". */
const LOW_STOCK_SHARE = 0.2;
/** Placeholder artwork colours (items have no images): chosen by id so a card keeps its colour. */
const TONES = 6;

/**
 * Where an item's waiting room stands for this card: `none` (no room: the button buys), `later` (it opens at
 * `opensAt`, the pre-queue window before the start), `open` (the button joins it).
 */
type RoomPhase = 'none' | 'later' | 'open';

/**
 * One sale item: prices, live stock, countdown, status, its buy button and the outcome of the shopper's order.
 * An item with a waiting room (`waitingRoom` in its SaleItem) joins the room instead of ordering at once.
 */
export class ItemCard {
  readonly el: HTMLLIElement;
  readonly panel: OutcomePanel;
  private readonly purchase: Purchase;
  private readonly room: WaitingRoomVisit;
  private readonly badge: HTMLSpanElement;
  private readonly title: HTMLHeadingElement;
  private readonly initial: HTMLSpanElement;
  private readonly discount: HTMLSpanElement;
  private readonly priceNow: HTMLSpanElement;
  private readonly priceWas: HTMLSpanElement;
  private readonly stockFill: HTMLSpanElement;
  private readonly stockText: HTMLParagraphElement;
  private readonly timingLabel: HTMLSpanElement;
  private readonly timingValue: HTMLSpanElement;
  private readonly button: HTMLButtonElement;
  private readonly buttonLabel: HTMLSpanElement;
  private loggedIn = false;

  constructor(
    private item: SaleItem,
    private readonly host: CardHost,
  ) {
    const id = item.id;
    const titleId = `item-${id}-name`;
    this.panel = new OutcomePanel(id, host);
    this.purchase = new Purchase(host, id, this.panel, () => this.render());
    this.room = new WaitingRoomVisit(host, id, this.panel, this.purchase, () => this.render());
    this.badge = h('span', { class: 'badge', 'data-testid': `badge-${id}` });
    this.discount = h('span', { class: 'discount' });
    this.title = h('h3', { class: 'card-title', id: titleId });
    this.initial = h('span', { class: 'card-initial' });
    this.priceNow = h('span', { class: 'price-now-value' });
    this.priceWas = h('span', { class: 'price-was-value' });
    this.stockFill = h('span', { class: 'stock-fill' });
    this.stockText = h('p', { class: 'stock-text' });
    this.timingLabel = h('span', { class: 'timing-label' });
    this.timingValue = h('span', { class: 'timing-value' });
    this.buttonLabel = h('span');
    this.button = h('button', { type: 'button', class: 'button button-buy', 'data-testid': `buy-${id}` }, this.buttonLabel, h('span', { class: 'sr-only' }, ': ', item.name));
    this.button.addEventListener('click', () => this.onBuy());

    this.el = h(
      'li',
      { class: 'card', 'data-testid': `item-${id}` },
      h(
        'article',
        { class: 'card-body', 'aria-labelledby': titleId },
        h('div', { class: `card-art tone-${id % TONES}`, 'aria-hidden': 'true' }, this.initial),
        h('div', { class: 'card-tags' }, this.badge, this.discount),
        this.title,
        h(
          'p',
          { class: 'prices' },
          h('span', { class: 'price-now' }, h('span', { class: 'sr-only' }, 'Sale price '), this.priceNow),
          ' ',
          h('del', { class: 'price-was' }, h('span', { class: 'sr-only' }, 'regular price '), this.priceWas),
        ),
        h('div', { class: 'stock' }, h('div', { class: 'stock-bar', 'aria-hidden': 'true' }, this.stockFill), this.stockText),
        h('p', { class: 'timing' }, this.timingLabel, ' ', this.timingValue),
        this.button,
        this.room.panel.el,
        this.panel.el,
      ),
    );
    this.render();
  }

  update(item: SaleItem): void {
    this.item = item;
    this.render();
  }

  /** Every second: countdowns move, and an upcoming sale opens (or a live one ends) on the server's clock. */
  tick(): void {
    this.render();
  }

  sessionChanged(loggedIn: boolean): void {
    const was = this.loggedIn;
    this.loggedIn = loggedIn;
    if (!loggedIn) {
      this.room.stop();
      this.purchase.stop();
      this.panel.idle();
    } else if (!was && this.item.waitingRoom) void this.room.resume();
    this.render();
  }

  dispose(): void {
    this.room.stop();
    this.purchase.stop();
  }

  private roomPhase(now: number): RoomPhase {
    const room = this.item.waitingRoom;
    if (!room) return 'none';
    return now < Date.parse(room.opensAt) ? 'later' : 'open';
  }

  /** The button may act: the sale is live, or its waiting room is already open before the start. */
  private canAct(status: SaleStatus, phase: RoomPhase): boolean {
    return status === 'live' || (status === 'upcoming' && phase === 'open');
  }

  /** The server's status, moved on by the clock between two refreshes. */
  private status(now: number): SaleStatus {
    const { status, stockLeft } = this.item;
    if (status === 'ended' || now >= Date.parse(this.item.endTime)) return 'ended';
    if (status === 'upcoming' && now >= Date.parse(this.item.startTime)) return stockLeft > 0 ? 'live' : 'sold_out';
    return status;
  }

  private onBuy(): void {
    const now = serverNow();
    const phase = this.roomPhase(now);
    if (this.purchase.inProgress || this.room.active || !this.canAct(this.status(now), phase)) return;
    if (!this.host.session.current()) {
      this.host.askToLogIn(phase === 'none' ? 'Log in or create an account to buy.' : 'Log in or create an account to join the line.');
      return;
    }
    if (phase === 'none') void this.purchase.start();
    else void this.room.join();
  }

  private render(): void {
    const item = this.item;
    const now = serverNow();
    const status = this.status(now);
    const phase = this.roomPhase(now);
    this.el.dataset['status'] = status;
    this.el.dataset['room'] = phase;
    setText(this.badge, BADGE[status]);
    this.badge.className = `badge badge-${status}`;
    setText(this.title, item.name);
    setText(this.initial, item.name.trim().charAt(0).toUpperCase() || '?');
    setText(this.priceNow, formatPrice(item.seckillPrice));
    setText(this.priceWas, formatPrice(item.price));
    const off = discountPercent(item.price, item.seckillPrice);
    setText(this.discount, off === null ? '' : `−${off}%`);
    this.discount.hidden = off === null;

    const left = status === 'sold_out' ? 0 : Math.max(0, item.stockLeft);
    const share = item.stockTotal > 0 ? left / item.stockTotal : 0;
    this.stockFill.style.width = `${Math.round(share * 100)}%`;
    const low = status === 'live' && share <= LOW_STOCK_SHARE;
    this.stockText.classList.toggle('low', low);
    setText(
      this.stockText,
      status === 'upcoming'
        ? `${item.stockTotal} units available`
        : status === 'ended'
          ? `${item.stockTotal - left} of ${item.stockTotal} sold`
          : low && left > 0
            ? `Only ${left} of ${item.stockTotal} left`
            : `${left} of ${item.stockTotal} left`,
    );

    const start = Date.parse(item.startTime);
    const end = Date.parse(item.endTime);
    const opensAt = item.waitingRoom?.opensAt;
    if (status === 'upcoming' && phase === 'later' && opensAt) this.timing('Waiting room opens in', Date.parse(opensAt) - now, opensAt, 'Waiting room opens');
    else if (status === 'upcoming') this.timing(phase === 'open' ? 'Waiting room open · starts in' : 'Starts in', start - now, item.startTime, 'Starts');
    else if (status === 'ended') this.timing('Ended', null, item.endTime);
    else if (status === 'sold_out') this.timing('All units are gone', null, null);
    else this.timing('Ends in', end - now, item.endTime, 'Ends');

    this.renderButton(status, phase);
  }

  private timing(label: string, leftMs: number | null, iso: string | null, longLabel?: string): void {
    if (leftMs !== null && leftMs < COUNTDOWN_LIMIT_MS) {
      setText(this.timingLabel, label);
      setText(this.timingValue, formatCountdown(leftMs));
      this.timingValue.classList.add('ticking');
      return;
    }
    this.timingValue.classList.remove('ticking');
    setText(this.timingLabel, leftMs !== null && longLabel ? longLabel : label);
    setText(this.timingValue, iso ? formatDateTime(iso) : (longLabel ?? ''));
  }

  private renderButton(status: SaleStatus, phase: RoomPhase): void {
    const inRoom = this.room.active;
    const busy = this.purchase.inProgress || inRoom;
    const canAct = this.canAct(status, phase);
    let label: string;
    if (canAct && inRoom && !this.purchase.inProgress) label = this.room.buttonLabel;
    else if (canAct && busy) label = 'Waiting…';
    else if (canAct && phase !== 'none') label = this.loggedIn ? 'Join the line' : 'Log in to join';
    else if (canAct) label = this.loggedIn ? 'Buy now' : 'Log in to buy';
    else if (status === 'upcoming') label = phase === 'later' ? 'Waiting room not open yet' : 'Not started yet';
    else label = BADGE[status];
    setText(this.buttonLabel, label);
    // Unavailable items get a real `disabled`; a busy button stays focusable (aria-disabled) so a keyboard
    // user does not lose their place while the order is on its way (or while waiting in the room).
    this.button.disabled = !canAct && !busy;
    if (busy) this.button.setAttribute('aria-disabled', 'true');
    else this.button.removeAttribute('aria-disabled');
    this.button.classList.toggle('is-busy', busy);
  }
}
