import type { ClientConfig, OrderView } from '@seckill/contracts';
import { OrderWatch, type WatchListener } from './order-watch.js';
import type { OutcomePanel } from './outcome-panel.js';
import { newRequestId } from './request-id.js';
import type { SessionStore } from '../web-common/session.js';
import { shopApi } from './shop-api.js';
import { ApiError } from '../web-common/http.js';
import { describeError, describeFailure } from './words.js';

/** How long the buy waits for the socket to open before posting anyway (polling then covers the outcome). */
const SOCKET_OPEN_TIMEOUT_MS = 3000;

export interface PurchaseHost {
  config: ClientConfig;
  session: SessionStore;
  /** The token was refused: end the session and ask the shopper to log in again. */
  authLost(): void;
  ordersChanged(): void;
  findOrder(orderNo: string): Promise<OrderView | null>;
}

/** The socket base URL, e.g. `ws://shop.example:8085`: NOTIFIER_PUBLIC_URL, else this page's host on the notifier port. */
export function notifierBase(config: ClientConfig): string {
  if (config.notifierUrl) return config.notifierUrl.replace(/\/+$/, '');
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.hostname}:${config.notifierPort}`;
}

/**
 * How a start ended, for a caller that must react (the waiting room: a refused admission sends the shopper back
 * into line). Not placed: `code` is the refusal's (the panel already shows it), or null when the attempt was
 * stopped before an answer (logout, a socket that refused the token).
 */
export type PlaceResult = { placed: true } | { placed: false; code: string | null };

/**
 * One shopper's attempt to buy one item, in the order that cannot miss an outcome: choose the requestId (it is
 * the order's uuid), open the socket on it and wait until it is open, only then post the order. The result is
 * pushed on the socket; if the socket is down, OrderWatch polls for it.
 */
export class Purchase {
  private watch: OrderWatch | null = null;
  private busy = false;

  constructor(
    private readonly host: PurchaseHost,
    private readonly itemId: number,
    private readonly panel: OutcomePanel,
    private readonly onBusy: (busy: boolean) => void,
  ) {}

  get inProgress(): boolean {
    return this.busy;
  }

  /**
   * `admission`: the waiting room's token for the order body (items with a room), with the requestId to spend it
   * on. The server spends the token on that requestId before anything else, so a retry after a passing failure
   * (503) must send the same requestId: with any other, the spent token would be refused.
   */
  async start(admission?: { token: string; requestId: string }): Promise<PlaceResult> {
    const stopped: PlaceResult = { placed: false, code: null };
    const session = this.host.session.current();
    if (!session || this.busy) return stopped;
    this.stop();
    this.setBusy(true);
    const requestId = admission?.requestId ?? newRequestId();
    this.panel.waiting('Connecting…');
    const watch = this.follow(requestId, session.token);
    const opened = await watch.open(SOCKET_OPEN_TIMEOUT_MS);
    // Stopped meanwhile (logout), or the socket refused the token (already handled by the listener).
    if (this.watch !== watch || opened === 'auth') return stopped;

    this.panel.waiting('Placing your order…');
    let uuid: string;
    try {
      uuid = (await shopApi.placeOrder(session.token, this.itemId, requestId, admission?.token)).uuid;
    } catch (error) {
      if (this.watch !== watch) return stopped;
      this.stop();
      this.setBusy(false);
      const failure = describeError(error);
      if (failure.loginAgain) this.host.authLost();
      this.panel.fail(failure);
      return { placed: false, code: error instanceof ApiError ? error.code : 'INTERNAL' };
    }
    if (this.watch !== watch) return stopped;
    let followed = watch;
    if (uuid !== requestId) {
      // A server that derives its own uuid: follow that one instead (a late socket still gets the result).
      watch.close();
      followed = this.follow(uuid, session.token);
      void followed.open(SOCKET_OPEN_TIMEOUT_MS);
    }
    followed.accepted();
    // The push may already have beaten the 202 here.
    if (!followed.hasOutcome) this.panel.waiting('You are in the queue — waiting for the result…');
    return { placed: true };
  }

  /** Stops following (logout, or a new attempt); the panel keeps what it shows. */
  stop(): void {
    this.watch?.close();
    this.watch = null;
    this.setBusy(false);
  }

  private follow(uuid: string, token: string): OrderWatch {
    const listener: WatchListener = {
      result: (outcome, via) => {
        if (this.watch !== watch) return;
        this.setBusy(false);
        if (outcome.status === 'SUCCESS') this.panel.success(outcome.orderNo, via);
        else this.panel.fail(describeFailure(outcome.reason), via);
        this.host.ordersChanged();
      },
      later: (status) => {
        if (this.watch !== watch) return;
        this.panel.later(status);
        this.host.ordersChanged();
      },
      authLost: () => {
        if (this.watch !== watch) return;
        this.stop();
        this.host.authLost();
        this.panel.fail(describeFailure('UNAUTHORIZED'));
      },
      resumed: () => {
        if (this.watch !== watch || this.panel.state !== 'success') return;
        // order.status frames sent while the socket was down are not replayed: read the order instead.
        const orderNo = this.panel.shownOrderNo;
        if (!orderNo) return;
        void this.host.findOrder(orderNo).then((order) => {
          if (order && order.status !== 'UNPAID' && this.watch === watch) this.panel.later(order.status);
        });
      },
    };
    const watch = new OrderWatch(notifierBase(this.host.config), uuid, token, listener);
    this.watch = watch;
    return watch;
  }

  private setBusy(busy: boolean): void {
    if (this.busy === busy) return;
    this.busy = busy;
    this.onBusy(busy);
  }
}
