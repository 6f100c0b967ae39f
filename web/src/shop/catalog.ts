import type { OrderView, SaleItem } from '@seckill/contracts';
import { setText } from '../web-common/dom.js';
import { ItemCard, type CardHost } from './item-card.js';
import { shopApi } from './shop-api.js';

/** Stock moves fast during a sale: the list is re-read this often while the tab is visible. */
const REFRESH_MS = 2000;

/** The sale items: built once, then updated in place so that focus and outcome panels survive each refresh. */
export class Catalog {
  private readonly cards = new Map<number, ItemCard>();
  private loading = false;
  private loaded = false;
  private loggedIn = false;

  constructor(
    private readonly list: HTMLUListElement,
    private readonly empty: HTMLElement,
    private readonly status: HTMLElement,
    private readonly host: CardHost,
  ) {}

  start(): void {
    void this.refresh();
    // A hidden tab does not poll: thousands of background tabs would otherwise hammer the sale.
    window.setInterval(() => {
      if (!document.hidden) void this.refresh();
    }, REFRESH_MS);
    window.setInterval(() => {
      for (const card of this.cards.values()) card.tick();
    }, 1000);
    document.addEventListener('visibilitychange', () => {
      if (!document.hidden) void this.refresh();
    });
  }

  sessionChanged(loggedIn: boolean): void {
    this.loggedIn = loggedIn;
    for (const card of this.cards.values()) card.sessionChanged(loggedIn);
  }

  orderUpdated(order: OrderView): void {
    this.cards.get(order.seckillGoodId)?.panel.orderUpdated(order);
  }

  private async refresh(): Promise<void> {
    if (this.loading) return;
    this.loading = true;
    try {
      this.show(await shopApi.saleItems());
      setText(this.status, '');
    } catch {
      setText(this.status, this.loaded ? 'Connection trouble: stock may be out of date. Retrying…' : 'The sale could not be loaded. Retrying…');
    } finally {
      this.loading = false;
    }
  }

  private show(items: SaleItem[]): void {
    const seen = new Set<number>();
    for (const item of items) {
      seen.add(item.id);
      const card = this.cards.get(item.id);
      if (card) {
        card.update(item);
        continue;
      }
      const created = new ItemCard(item, this.host);
      created.sessionChanged(this.loggedIn);
      this.cards.set(item.id, created);
      this.list.append(created.el);
    }
    for (const [id, card] of this.cards) {
      if (seen.has(id)) continue;
      card.dispose();
      card.el.remove();
      this.cards.delete(id);
    }
    this.loaded = true;
    this.empty.hidden = items.length > 0;
    this.list.setAttribute('aria-busy', 'false');
  }
}
