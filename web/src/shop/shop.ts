import type { ClientConfig, OrderView } from '@seckill/contracts';
import { AccountView } from './account.js';
import { Catalog } from './catalog.js';
import { Announcer, byId } from '../web-common/dom.js';
import type { CardHost } from './item-card.js';
import { MyOrders } from './my-orders.js';
import { SessionStore } from '../web-common/session.js';
import { shopApi } from './shop-api.js';

/** The page's entry point: reads its settings, then wires the catalog, the account panel and "Your orders". */

/** Used if /api/client-config cannot be read: the page must still sell (the outcome can always be polled). */
const FALLBACK_CONFIG: ClientConfig = { notifierUrl: null, notifierPort: 8085, paymentWindowSeconds: 900 };

async function clientConfig(): Promise<ClientConfig> {
  try {
    return await shopApi.clientConfig();
  } catch {
    return FALLBACK_CONFIG;
  }
}

async function main(): Promise<void> {
  const config = await clientConfig();
  const session = new SessionStore(window.sessionStorage, 'seckill.session');
  const announcer = new Announcer(byId('announcer', HTMLDivElement));
  const saleHeading = byId('sale-title', HTMLHeadingElement);

  const token = () => session.current()?.token ?? null;
  const authLost = () => {
    session.logOut();
    account.askToLogIn('Your session has expired. Please log in again.');
  };
  const orderUpdated = (order: OrderView) => {
    catalog.orderUpdated(order);
    void orders.refresh();
  };

  const account = new AccountView(session, announcer, saleHeading);
  const orders = new MyOrders(byId('orders', HTMLElement), byId('order-list', HTMLUListElement), byId('orders-empty', HTMLParagraphElement), { token, orderUpdated, authLost });
  const host: CardHost = {
    config,
    session,
    paymentWindowSeconds: config.paymentWindowSeconds,
    token,
    authLost,
    askToLogIn: (message) => account.askToLogIn(message),
    ordersChanged: () => void orders.refresh(),
    orderChanged: (order) => (order ? orderUpdated(order) : void orders.refresh()),
    findOrder: async (orderNo) => (await orders.refresh())?.find((o) => o.orderNo === orderNo) ?? null,
  };
  const catalog = new Catalog(byId('items', HTMLUListElement), byId('items-empty', HTMLParagraphElement), byId('sale-status', HTMLParagraphElement), host);

  const sessionChanged = () => {
    const current = session.current();
    account.render(current);
    catalog.sessionChanged(current !== null);
    if (current) void orders.refresh();
    else orders.clear();
  };
  session.onChange(sessionChanged);
  sessionChanged();
  catalog.start();
  document.documentElement.dataset['ready'] = 'true';
}

main().catch((error: unknown) => {
  const status = document.getElementById('sale-status');
  if (status) status.textContent = 'The shop could not start. Please reload the page.';
  console.error(error);
});
