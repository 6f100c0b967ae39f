import type { SaleItem, SaleStatus } from '@seckill/contracts';
import { formatCountdown, formatDateTime, serverNow } from './clock.js';
import { h, setText } from '../web-common/dom.js';
import { discountPercent, formatPrice } from './money.js';
import { OutcomePanel, type PanelHost } from './outcome-panel.js';
import { Purchase, type PurchaseHost } from './purchase.js';

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

/** One sale item: prices, live stock, countdown, status, its buy button and the outcome of the shopper's order. */
export class ItemCard {
  readonly el: HTMLLIElement;
  readonly panel: OutcomePanel;
  private readonly purchase: Purchase;
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
    this.loggedIn = loggedIn;
    if (!loggedIn) {
      this.purchase.stop();
      this.panel.idle();
    }
    this.render();
  }

  dispose(): void {
    this.purchase.stop();
  }

  /** The server's status, moved on by the clock between two refreshes. */
  private status(now: number): SaleStatus {
    const { status, stockLeft } = this.item;
    if (status === 'ended' || now >= Date.parse(this.item.endTime)) return 'ended';
    if (status === 'upcoming' && now >= Date.parse(this.item.startTime)) return stockLeft > 0 ? 'live' : 'sold_out';
    return status;
  }

  private onBuy(): void {
    if (this.purchase.inProgress || this.status(serverNow()) !== 'live') return;
    if (!this.host.session.current()) {
      this.host.askToLogIn('Log in or create an account to buy.');
      return;
    }
    void this.purchase.start();
  }

  private render(): void {
    const item = this.item;
    const now = serverNow();
    const status = this.status(now);
    this.el.dataset['status'] = status;
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
    if (status === 'upcoming') this.timing('Starts in', start - now, item.startTime, 'Starts');
    else if (status === 'ended') this.timing('Ended', null, item.endTime);
    else if (status === 'sold_out') this.timing('All units are gone', null, null);
    else this.timing('Ends in', end - now, item.endTime, 'Ends');

    this.renderButton(status);
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

  private renderButton(status: SaleStatus): void {
    const busy = this.purchase.inProgress;
    let label: string;
    if (status === 'live') label = busy ? 'Waiting…' : this.loggedIn ? 'Buy now' : 'Log in to buy';
    else label = status === 'upcoming' ? 'Not started yet' : BADGE[status];
    setText(this.buttonLabel, label);
    // Unavailable items get a real `disabled`; a busy button stays focusable (aria-disabled) so a keyboard
    // user does not lose their place while the order is on its way.
    this.button.disabled = status !== 'live';
    if (busy) this.button.setAttribute('aria-disabled', 'true');
    else this.button.removeAttribute('aria-disabled');
    this.button.classList.toggle('is-busy', busy);
  }
}
