import type { OrderStatus, OrderView } from '@seckill/contracts';
import { formatCountdown, formatDateTime, serverNow } from './clock.js';
import { h, setText } from '../web-common/dom.js';
import { ApiError } from '../web-common/http.js';
import { formatPrice } from './money.js';
import { payOrder } from './payment.js';
import { shopApi } from './shop-api.js';

const STATUS_LABEL: Record<OrderStatus, string> = { UNPAID: 'Awaiting payment', PAID: 'Paid', CANCELLED: 'Cancelled', TIMEOUT: 'Expired' };
/** Statuses change on the server too (payment window): re-read this often while logged in and visible. */
const REFRESH_MS = 15_000;

export interface OrdersHost {
  token(): string | null;
  orderUpdated(order: OrderView): void;
  authLost(): void;
}

/** "Your orders": the caller's orders, newest first, with the payment countdown and a Pay button while unpaid. */
export class MyOrders {
  private readonly rows = new Map<string, OrderRow>();
  private inFlight: Promise<OrderView[] | null> | null = null;
  private queued: Promise<OrderView[] | null> | null = null;

  constructor(
    private readonly section: HTMLElement,
    private readonly list: HTMLUListElement,
    private readonly empty: HTMLElement,
    private readonly host: OrdersHost,
  ) {
    window.setInterval(() => {
      if (!document.hidden && this.host.token()) void this.refresh();
    }, REFRESH_MS);
    window.setInterval(() => {
      for (const row of this.rows.values()) row.tick();
    }, 1000);
  }

  /**
   * Re-reads the orders. A caller always gets a read that started after its call (a read already running may
   * predate the order it is looking for); callers arriving meanwhile share that one extra read.
   */
  refresh(): Promise<OrderView[] | null> {
    if (!this.inFlight) {
      this.inFlight = this.load().finally(() => (this.inFlight = null));
      return this.inFlight;
    }
    this.queued ??= this.inFlight.then(() => {
      this.queued = null;
      return this.refresh();
    });
    return this.queued;
  }

  clear(): void {
    this.rows.clear();
    this.list.replaceChildren();
    this.section.hidden = true;
  }

  private async load(): Promise<OrderView[] | null> {
    const token = this.host.token();
    if (!token) return null;
    try {
      const orders = await shopApi.myOrders(token);
      if (this.host.token() === token) this.show(orders);
      return orders;
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) this.host.authLost();
      return null;
    }
  }

  private show(orders: OrderView[]): void {
    this.section.hidden = false;
    const keep = new Set(orders.map((o) => o.orderNo));
    for (const [orderNo, row] of this.rows) {
      if (!keep.has(orderNo)) {
        row.el.remove();
        this.rows.delete(orderNo);
      }
    }
    // Newest first, as the server sends them; rows are reused so a focused Pay button stays focused.
    let previous: HTMLElement | null = null;
    for (const order of orders) {
      let row = this.rows.get(order.orderNo);
      if (row) row.update(order);
      else {
        row = new OrderRow(order, this.host);
        this.rows.set(order.orderNo, row);
      }
      const wanted: ChildNode | null = previous ? previous.nextSibling : this.list.firstChild;
      if (wanted !== row.el) this.list.insertBefore(row.el, wanted);
      previous = row.el;
    }
    this.empty.hidden = orders.length > 0;
  }
}

class OrderRow {
  readonly el: HTMLLIElement;
  private readonly pill: HTMLSpanElement;
  private readonly deadline: HTMLParagraphElement;
  private readonly countdown: HTMLSpanElement;
  private readonly payButton: HTMLButtonElement;
  private readonly error: HTMLParagraphElement;
  private order: OrderView;

  constructor(order: OrderView, private readonly host: OrdersHost) {
    this.order = order;
    this.pill = h('span', { class: 'pill' });
    this.countdown = h('span', { class: 'countdown' });
    this.deadline = h('p', { class: 'order-deadline' }, 'Pay within ', this.countdown);
    this.payButton = h('button', { type: 'button', class: 'button button-small button-pay' }, 'Pay', h('span', { class: 'sr-only' }, ` order ${order.orderNo}`));
    this.error = h('p', { class: 'pay-error', role: 'alert' });
    this.payButton.addEventListener('click', () => this.pay());
    this.el = h(
      'li',
      { class: 'order-row', 'data-testid': `order-${order.orderNo}` },
      h(
        'div',
        { class: 'order-main' },
        h('p', { class: 'order-name' }, order.name),
        h('p', { class: 'order-meta' }, `No. ${order.orderNo} · ${formatPrice(order.amount)} · ${formatDateTime(order.createdAt)}`),
      ),
      h('div', { class: 'order-side' }, this.pill, this.deadline, this.payButton),
      this.error,
    );
    this.update(order);
  }

  update(order: OrderView): void {
    this.order = order;
    this.el.dataset['status'] = order.status;
    setText(this.pill, STATUS_LABEL[order.status]);
    this.pill.className = `pill pill-${order.status.toLowerCase()}`;
    const unpaid = order.status === 'UNPAID';
    this.deadline.hidden = !unpaid;
    this.payButton.hidden = !unpaid;
    if (!unpaid) setText(this.error, '');
    this.tick();
  }

  tick(): void {
    if (this.order.status !== 'UNPAID') return;
    const left = Date.parse(this.order.payDeadline) - serverNow();
    setText(this.countdown, formatCountdown(left));
    this.countdown.classList.toggle('urgent', left < 60_000);
    if (left <= 0) this.payButton.disabled = true;
  }

  private pay(): void {
    const token = this.host.token();
    if (!token) return;
    this.payButton.disabled = true;
    setText(this.error, '');
    payOrder(token, this.order.orderNo).then(
      (order) => {
        this.update(order);
        this.host.orderUpdated(order);
      },
      (e: unknown) => {
        this.payButton.disabled = false;
        setText(this.error, e instanceof Error ? e.message : 'Payment failed.');
      },
    );
  }
}
