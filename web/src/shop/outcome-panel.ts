import type { OrderView } from '@seckill/contracts';
import { describeDuration, formatCountdown, serverNow } from './clock.js';
import { h, setText } from '../web-common/dom.js';
import type { Via } from './order-watch.js';
import { payOrder } from './payment.js';
import type { LaterStatus } from './types.js';
import type { Failure, FailState } from './words.js';

/** `data-state` of the panel: what tests wait for and what the styles key on. */
export type PanelState = 'idle' | 'waiting' | 'success' | 'paid' | 'cancelled' | 'timeout' | FailState;

export interface PanelHost {
  token(): string | null;
  /** The caller's order with this number (for its payment deadline), or null if not found. */
  findOrder(orderNo: string): Promise<OrderView | null>;
  paymentWindowSeconds: number;
  orderChanged(order: OrderView | null): void;
}

/**
 * The outcome of the shopper's order for one item. The message part is a live region that exists from the
 * start (screen readers announce changes only in regions already present); the ticking payment countdown
 * sits outside it so it is not read out every second.
 */
export class OutcomePanel {
  readonly el: HTMLDivElement;
  private readonly message: HTMLDivElement;
  private readonly actions: HTMLDivElement;
  private orderNo: string | null = null;
  private deadline: number | null = null;
  private timer: number | undefined;
  private countdown: HTMLElement | null = null;
  private payButton: HTMLButtonElement | null = null;
  /** Bumped on every state change so that late answers (order lookup, payment) for an old state are dropped. */
  private generation = 0;

  constructor(
    private readonly itemId: number,
    private readonly host: PanelHost,
  ) {
    this.message = h('div', { class: 'outcome-message', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' });
    this.actions = h('div', { class: 'outcome-actions' });
    this.el = h('div', { class: 'outcome', 'data-testid': `outcome-${itemId}`, 'data-state': 'idle' }, this.message, this.actions);
  }

  get state(): PanelState {
    return this.el.dataset['state'] as PanelState;
  }

  /** The order shown (success and later states), if any. */
  get shownOrderNo(): string | null {
    return this.orderNo;
  }

  idle(): void {
    this.show('idle', null, [], []);
  }

  waiting(text: string): void {
    this.show('waiting', null, [h('span', { class: 'spinner', 'aria-hidden': 'true' }), h('p', { class: 'outcome-title' }, text)], []);
  }

  fail(failure: Failure, via?: Via): void {
    this.show(
      failure.state,
      via ?? null,
      [h('span', { class: 'outcome-icon', 'aria-hidden': 'true' }, failure.state === 'fail-other' ? '!' : '×'), h('p', { class: 'outcome-title' }, failure.title), h('p', { class: 'outcome-detail' }, failure.detail)],
      [],
    );
  }

  success(orderNo: string, via: Via): void {
    const generation = this.show(
      'success',
      via,
      [
        h('span', { class: 'outcome-icon', 'aria-hidden': 'true' }, '✓'),
        h('p', { class: 'outcome-title' }, 'You got it!'),
        h('p', { class: 'outcome-detail' }, 'Order no. ', h('span', { class: 'order-no', 'data-testid': `order-no-${this.itemId}` }, orderNo)),
      ],
      [],
    );
    this.orderNo = orderNo;
    // Until the order itself is read, the deadline is estimated from the configured window.
    this.deadline = serverNow() + this.host.paymentWindowSeconds * 1000;
    this.renderPayment();
    void this.host.findOrder(orderNo).then((order) => {
      if (generation !== this.generation || !order) return;
      if (order.status !== 'UNPAID') this.later(order.status);
      else {
        this.deadline = Date.parse(order.payDeadline);
        this.tick();
      }
    });
  }

  later(status: LaterStatus): void {
    // Paying here shows PAID at once; the same status pushed afterwards must not be announced twice.
    if (this.state === status.toLowerCase()) return;
    const orderNo = this.orderNo;
    const orderLine = orderNo ? [h('p', { class: 'outcome-detail' }, 'Order no. ', h('span', { class: 'order-no' }, orderNo))] : [];
    if (status === 'PAID') {
      this.show('paid', null, [h('span', { class: 'outcome-icon', 'aria-hidden': 'true' }, '✓'), h('p', { class: 'outcome-title' }, 'Paid — thank you!'), ...orderLine], []);
    } else if (status === 'CANCELLED') {
      this.show('cancelled', null, [h('span', { class: 'outcome-icon', 'aria-hidden': 'true' }, '×'), h('p', { class: 'outcome-title' }, 'Order cancelled'), ...orderLine], []);
    } else {
      this.show(
        'timeout',
        null,
        [h('span', { class: 'outcome-icon', 'aria-hidden': 'true' }, '×'), h('p', { class: 'outcome-title' }, 'Payment time ran out'), h('p', { class: 'outcome-detail' }, 'The order was cancelled. You may order this item again while stock lasts.')],
        [],
      );
    }
    this.orderNo = orderNo;
  }

  /** An order changed elsewhere on the page (paid from "Your orders"). */
  orderUpdated(order: OrderView): void {
    if (order.orderNo === this.orderNo && this.state === 'success' && order.status !== 'UNPAID') this.later(order.status);
  }

  private show(state: PanelState, via: Via | null, message: Node[], actions: Node[]): number {
    this.generation += 1;
    window.clearInterval(this.timer);
    this.timer = undefined;
    this.orderNo = null;
    this.deadline = null;
    this.countdown = null;
    this.payButton = null;
    this.el.dataset['state'] = state;
    if (via) this.el.dataset['via'] = via;
    else delete this.el.dataset['via'];
    this.message.replaceChildren(...message);
    this.actions.replaceChildren(...actions);
    return this.generation;
  }

  private renderPayment(): void {
    const generation = this.generation;
    const orderNo = this.orderNo;
    if (!orderNo) return;
    this.countdown = h('strong', { class: 'countdown', 'aria-hidden': 'true' });
    const spoken = h('span', { class: 'sr-only' });
    const error = h('p', { class: 'pay-error', role: 'alert' });
    this.payButton = h('button', { type: 'button', class: 'button button-pay', 'data-testid': `pay-${this.itemId}` }, 'Pay now');
    this.payButton.addEventListener('click', () => {
      const token = this.host.token();
      const button = this.payButton;
      if (!token || !button) return;
      button.disabled = true;
      setText(button, 'Paying…');
      setText(error, '');
      payOrder(token, orderNo).then(
        (order) => {
          if (generation !== this.generation) return;
          this.later(order.status === 'UNPAID' ? 'PAID' : order.status);
          this.host.orderChanged(order);
        },
        (e: unknown) => {
          if (generation !== this.generation) return;
          button.disabled = false;
          setText(button, 'Pay now');
          setText(error, e instanceof Error ? e.message : 'Payment failed.');
        },
      );
    });
    this.actions.replaceChildren(h('p', { class: 'deadline' }, 'Pay within ', this.countdown, spoken), this.payButton, error);
    this.tick();
    setText(spoken, describeDuration((this.deadline ?? serverNow()) - serverNow()));
    this.timer = window.setInterval(() => this.tick(), 1000);
  }

  private tick(): void {
    if (this.deadline === null || !this.countdown) return;
    const left = this.deadline - serverNow();
    if (left > 0) {
      setText(this.countdown, formatCountdown(left));
      this.countdown.classList.toggle('urgent', left < 60_000);
      return;
    }
    window.clearInterval(this.timer);
    this.timer = undefined;
    setText(this.countdown, '00:00');
    if (this.payButton) {
      this.payButton.disabled = true;
      setText(this.payButton, 'Payment time is over');
    }
  }
}
