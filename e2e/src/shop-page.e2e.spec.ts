import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import {
  ARTIFACTS,
  mintToken,
  request,
  seedSale,
  seedShoppers,
  sql,
  startProduct,
  TEST_JWT_SECRET,
  type Product,
  type TestEnv,
} from '@seckill/testing';

/**
 * The shopper page in a real browser (Debian's Chromium driven by playwright-core; scripts/ensure-chromium.sh
 * installs it) against real order-api, order-worker and websocket-notifier processes. Every wait is on a DOM
 * state (`data-state` of an outcome panel, a badge, a disabled button), never a fixed sleep. Screenshots of each
 * state land in artifacts/screenshots/. Each test opens its own browser context with a shopper and items of its
 * own, so any one of them can run alone.
 */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SCREENSHOTS = join(ARTIFACTS, 'screenshots');
/** Outcomes take milliseconds; the margin is for a loaded CI machine. */
const OUTCOME_TIMEOUT_MS = 20_000;
const DESKTOP = { viewport: { width: 1280, height: 900 } };

let product: Product;
let env: TestEnv;
let browser: Browser;
let keyboard: number;
let headphones: number;
let espresso: number;
let watch: number;
let shoppers = 0;

before(async () => {
  product = await startProduct('e2e-shop');
  env = product.env;

  const hour = 3_600_000;
  watch = await seedSale(env.databaseUrl, { name: 'Smart watch', stock: 3, startTime: new Date(Date.now() - 3 * hour), endTime: new Date(Date.now() - hour) });
  keyboard = await seedSale(env.databaseUrl, { name: 'Mechanical keyboard', stock: 5 });
  headphones = await seedSale(env.databaseUrl, { name: 'Noise-cancelling headphones', stock: 1 });
  espresso = await seedSale(env.databaseUrl, { name: 'Espresso machine', stock: 20, startTime: new Date(Date.now() + 1.5 * hour), endTime: new Date(Date.now() + 3 * hour) });
  const [rival] = await seedShoppers(env.databaseUrl, 1, 'rival');
  await buyThroughApi(headphones, mintToken(TEST_JWT_SECRET, rival!));

  mkdirSync(SCREENSHOTS, { recursive: true });
  // launch() gives every run a fresh temporary profile (user-data-dir) of its own and removes it on close.
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
});

after(async () => {
  await browser?.close();
  await product?.stop();
});

interface Shopper {
  username: string;
  password: string;
  token: string;
}

/** A shopper registered through the API (each test its own, so no test depends on another's orders). */
async function newShopper(): Promise<Shopper> {
  shoppers += 1;
  const credentials = { username: `shopper-${shoppers}-${env.id.slice(-8)}`, password: 'correct horse battery' };
  const registered = await request<{ id: number; username: string }>(product.api.url, 'POST', '/api/auth/register', { json: credentials });
  assert.equal(registered.status, 201, JSON.stringify(registered.body));
  return { ...credentials, token: mintToken(TEST_JWT_SECRET, registered.body) };
}

/** Orders one unit through the API and waits for its SUCCESS (e.g. another shopper sells an item out). */
async function buyThroughApi(itemId: number, token: string): Promise<void> {
  const placed = await request<{ uuid: string }>(product.api.url, 'POST', '/api/seckill/orders', { token, json: { seckillGoodId: itemId } });
  assert.equal(placed.status, 202);
  await product.results.waitForAll([placed.body.uuid], OUTCOME_TIMEOUT_MS);
  assert.equal(product.results.results.get(placed.body.uuid)!.status, 'SUCCESS');
}

/** A page that records what must never happen: uncaught errors and Content-Security-Policy violations. */
async function openShop(context: BrowserContext): Promise<{ page: Page; problems: string[] }> {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Uncaught/i.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  await page.goto(product.api.url);
  await page.locator(`[data-testid="item-${keyboard}"]`).waitFor();
  return { page, problems };
}

async function logIn(page: Page, shopper: Pick<Shopper, 'username' | 'password'>): Promise<void> {
  // By keyboard only, as a shopper without a mouse would.
  await page.locator('#login-username').focus();
  await page.keyboard.type(shopper.username);
  await page.keyboard.press('Tab');
  await page.keyboard.type(shopper.password);
  await page.keyboard.press('Enter');
  await page.locator('[data-testid="username"]', { hasText: shopper.username }).waitFor();
}

/** Runs `body` in a fresh browser context (closed afterwards) whose page shows the shop, logged in as `shopper` if given. */
async function inShop(
  shopper: Shopper | null,
  body: (page: Page, problems: string[], context: BrowserContext) => Promise<void>,
  options: Parameters<Browser['newContext']>[0] = DESKTOP,
): Promise<void> {
  const context = await browser.newContext(options);
  try {
    const { page, problems } = await openShop(context);
    if (shopper) await logIn(page, shopper);
    await body(page, problems, context);
  } finally {
    await context.close();
  }
}

/** Evaluated in the page (as a string: this file is compiled without the DOM's types). */
const SESSION_IS_STORED = "sessionStorage.getItem('seckill.session') !== null";
const outcome = (page: Page, id: number, state: string) => page.waitForSelector(`[data-testid="outcome-${id}"][data-state="${state}"]`, { timeout: OUTCOME_TIMEOUT_MS });
/** Full-page screenshot from the top (a sticky header would otherwise be drawn where the page was scrolled to). */
async function shot(page: Page, name: string): Promise<void> {
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

describe('the shopper page', () => {
  it('is served at / with its assets under /shop/, and unknown paths still answer the JSON 404', async () => {
    const api = product.api.url;
    const home = await fetch(`${api}/`);
    assert.equal(home.status, 200);
    assert.match(home.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(home.headers.get('cache-control'), 'no-cache');
    assert.match(home.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    assert.match(await home.text(), /<title>Flash sale/);
    for (const [path, type] of [['/shop/shop.js', /javascript/], ['/shop/shop.css', /text\/css/], ['/web-common/session.js', /javascript/], ['/web-common/base.css', /text\/css/]] as const) {
      const asset = await fetch(`${api}${path}`);
      assert.equal(asset.status, 200, path);
      assert.match(asset.headers.get('content-type') ?? '', type, path);
      assert.ok(asset.headers.get('etag') || asset.headers.get('last-modified'), `${path} can be revalidated`);
      await asset.arrayBuffer();
    }
    for (const path of ['/shop/missing.js', '/shop/tsconfig.json', '/shop/', '/web-common/tsconfig.json', '/nothing-here', '/api/nothing-here']) {
      const missing = await request<{ statusCode: number; code: string }>(api, 'GET', path);
      assert.deepEqual([missing.status, missing.body.code], [404, 'NOT_FOUND'], path);
    }
    assert.equal((await fetch(`${api}/docs`)).status, 200, 'the OpenAPI UI still works');
    const config = await request<Record<string, unknown>>(api, 'GET', '/api/client-config');
    assert.equal(config.status, 200);
    assert.deepEqual(config.body, { notifierUrl: `ws://127.0.0.1:${product.notifier.port}`, notifierPort: product.notifier.port, paymentWindowSeconds: 900 });
  });

  it('shows every item with prices, stock and status: upcoming counts down, sold out and ended cannot be bought', async () => {
    await inShop(null, async (page, problems) => {
      const card = (id: number) => page.locator(`[data-testid="item-${id}"]`);
      await card(headphones).locator('[data-testid^="badge-"]', { hasText: 'Sold out' }).waitFor();
      assert.equal(await card(headphones).getAttribute('data-status'), 'sold_out');
      assert.ok(await page.locator(`[data-testid="buy-${headphones}"]`).isDisabled(), 'sold out: the buy button is disabled');
      assert.match(await page.locator(`[data-testid="buy-${headphones}"]`).innerText(), /Sold out/);

      assert.equal(await card(watch).getAttribute('data-status'), 'ended');
      assert.match(await card(watch).locator('[data-testid^="badge-"]').innerText(), /Ended/);
      assert.ok(await page.locator(`[data-testid="buy-${watch}"]`).isDisabled(), 'ended: the buy button is disabled');

      assert.equal(await card(espresso).getAttribute('data-status'), 'upcoming');
      assert.match(await card(espresso).locator('.timing').innerText(), /Starts in \d{2}:\d{2}:\d{2}/);
      assert.ok(await page.locator(`[data-testid="buy-${espresso}"]`).isDisabled(), 'upcoming: the buy button is disabled');

      // Nobody buys the keyboard: it is this test's untouched item.
      const keyboardCard = await card(keyboard).innerText();
      assert.match(keyboardCard, /Mechanical keyboard/);
      assert.match(keyboardCard, /\$9\.90/);
      assert.match(keyboardCard, /\$100\.00/);
      assert.match(keyboardCard, /5 of 5 left/);
      assert.equal(await card(keyboard).locator('del').count(), 1, 'the regular price is struck through');
      assert.match(await page.locator(`[data-testid="buy-${keyboard}"]`).innerText(), /Log in to buy/);
      await shot(page, 'logged-out');
      assert.deepEqual(problems, [], 'no page errors, no CSP violations');
    });
  });

  it('registers a shopper, logs out and in again through the forms', async () => {
    const dana = { username: `dana-${env.id.slice(-8)}`, password: 'correct horse battery' };
    await inShop(null, async (page, problems) => {
      await page.locator('#show-register').click();
      await page.locator('#register-username').fill(dana.username);
      await page.locator('#register-password').fill(dana.password);
      await page.locator('[data-testid="register-submit"]').click();
      await page.locator('[data-testid="username"]', { hasText: dana.username }).waitFor();
      assert.ok(await page.evaluate(SESSION_IS_STORED), 'the token is kept in sessionStorage');

      await page.locator('[data-testid="logout"]').click();
      await page.locator('#login-form').waitFor();
      assert.equal(await page.evaluate(SESSION_IS_STORED), false, 'logging out forgets the token');

      await page.locator('#login-username').fill(dana.username);
      await page.locator('#login-password').fill('wrong password');
      await page.locator('[data-testid="login-submit"]').click();
      await page.locator('#login-error', { hasText: 'Wrong username or password' }).waitFor();

      await page.locator('#login-username').fill('');
      await page.locator('#login-password').fill('');
      await logIn(page, dana);
      assert.match(await page.locator(`[data-testid="buy-${keyboard}"]`).innerText(), /Buy now/);
      assert.deepEqual(problems, []);
    });
  });

  it('buys an item and shows the success pushed by the notifier, with the order number and the payment countdown', async () => {
    const mouse = await seedSale(env.databaseUrl, { name: 'Gaming mouse', stock: 5 });
    await inShop(await newShopper(), async (page, problems) => {
      const buy = page.locator(`[data-testid="buy-${mouse}"]`);
      await buy.focus();
      await page.keyboard.press('Enter');
      const panel = await outcome(page, mouse, 'success');
      assert.equal(await panel.getAttribute('data-via'), 'push', 'the outcome came over the WebSocket');
      const orderNo = (await page.locator(`[data-testid="order-no-${mouse}"]`).innerText()).trim();
      assert.match(orderNo, /^\d+$/);
      await page.waitForSelector(`[data-testid="outcome-${mouse}"] .countdown:text-matches("^1[45]:[0-9]{2}$")`);
      await page.locator(`[data-testid="order-${orderNo}"]`).waitFor();
      assert.match(await page.locator(`[data-testid="order-${orderNo}"]`).innerText(), /Awaiting payment/);
      await page.locator(`[data-testid="item-${mouse}"]`).locator('.stock-text', { hasText: '4 of 5 left' }).waitFor();
      await shot(page, 'success');
      assert.deepEqual(problems, []);
    });
  });

  it('pays from the success panel: the panel says paid, "Your orders" says Paid, and so does PostgreSQL', async () => {
    const monitor = await seedSale(env.databaseUrl, { name: 'Monitor arm', stock: 5 });
    await inShop(await newShopper(), async (page, problems) => {
      await page.locator(`[data-testid="buy-${monitor}"]`).click();
      await outcome(page, monitor, 'success');
      const orderNo = (await page.locator(`[data-testid="order-no-${monitor}"]`).innerText()).trim();
      await page.locator(`[data-testid="pay-${monitor}"]`).click();
      // The order is minutes from its deadline, so paying has one right answer: paid, with no error shown.
      const panel = await outcome(page, monitor, 'paid');
      assert.match(await panel.innerText(), /Paid — thank you!/);
      assert.match(await panel.innerText(), new RegExp(`Order no\\. ${orderNo}`));
      assert.equal(await page.locator(`[data-testid="outcome-${monitor}"] .pay-error`).count(), 0, 'no payment error');
      const row = page.locator(`[data-testid="order-${orderNo}"][data-status="PAID"]`);
      await row.waitFor({ timeout: OUTCOME_TIMEOUT_MS });
      assert.match(await row.locator('.pill').innerText(), /^Paid$/);
      const [order] = await sql<{ status: string }>(env.databaseUrl, 'SELECT status FROM orders WHERE order_no = $1', [orderNo]);
      assert.equal(order?.status, 'PAID');
      await shot(page, 'after-pay');
      assert.deepEqual(problems, []);
    });
  });

  it('buying an item already ordered says "You already ordered this item"', async () => {
    const lamp = await seedSale(env.databaseUrl, { name: 'Desk lamp', stock: 5 });
    const shopper = await newShopper();
    await buyThroughApi(lamp, shopper.token);
    await inShop(shopper, async (page, problems) => {
      await page.locator(`[data-testid="buy-${lamp}"]`).click();
      const panel = await outcome(page, lamp, 'fail-already-ordered');
      assert.match(await panel.innerText(), /You already ordered this item/);
      await shot(page, 'fail-already-ordered');
      assert.deepEqual(problems, []);
    });
  });

  it('opens an upcoming sale when its countdown ends, and sells it', async () => {
    await inShop(await newShopper(), async (page, problems) => {
      const soon = await seedSale(env.databaseUrl, { name: 'Wireless earbuds', stock: 3, startTime: new Date(Date.now() + 6000) });
      const card = `[data-testid="item-${soon}"]`;
      await page.waitForSelector(`${card}[data-status="upcoming"] .timing-value:text-matches("^00:0[0-9]$")`);
      assert.ok(await page.locator(`[data-testid="buy-${soon}"]`).isDisabled());
      await page.waitForSelector(`${card}[data-status="live"] [data-testid="buy-${soon}"]:not([disabled])`, { timeout: OUTCOME_TIMEOUT_MS });
      await page.locator(`[data-testid="buy-${soon}"]`).click();
      await outcome(page, soon, 'success');
      assert.deepEqual(problems, []);
    });
  });

  it('a page that still shows a sold-out item as live gets "sold out" when the shopper tries', async () => {
    await inShop(await newShopper(), async (page, problems) => {
      // What a shopper sees whose list was read just before the last unit went: the refresh is held back.
      await page.route('**/api/seckill/goods', async (route) => {
        const response = await route.fetch();
        const items = (await response.json()) as { id: number; status: string; stockLeft: number }[];
        await route.fulfill({ response, json: items.map((i) => (i.id === headphones ? { ...i, status: 'live', stockLeft: 1 } : i)) });
      });
      await page.waitForSelector(`[data-testid="buy-${headphones}"]:not([disabled])`);
      await page.locator(`[data-testid="buy-${headphones}"]`).click();
      const panel = await outcome(page, headphones, 'fail-sold-out');
      assert.match(await panel.innerText(), /Sold out/);
      await page.unroute('**/api/seckill/goods');
      await page.waitForSelector(`[data-testid="item-${headphones}"][data-status="sold_out"] [data-testid="buy-${headphones}"][disabled]`);
      await shot(page, 'fail-sold-out');
      assert.deepEqual(problems, [], 'no page errors, no CSP violations');
    });
  });
});

describe('the shopper page when its socket misbehaves', () => {
  it('reopens a socket that drops before the outcome, and still shows it', async () => {
    const charger = await seedSale(env.databaseUrl, { name: 'USB-C charger', stock: 5 });
    const shopper = await newShopper();
    const context = await browser.newContext(DESKTOP);
    try {
      let sockets = 0;
      let dropFirst: (() => void) | undefined;
      // The first socket reaches the real notifier and is cut as soon as the order is posted; later ones pass.
      await context.routeWebSocket(`ws://127.0.0.1:${product.notifier.port}/**`, (ws) => {
        sockets += 1;
        ws.connectToServer();
        if (sockets === 1) dropFirst = () => void ws.close({ code: 1012, reason: 'restarting' });
      });
      const { page, problems } = await openShop(context);
      await logIn(page, shopper);
      page.on('request', (r) => {
        if (r.method() === 'POST' && r.url().endsWith('/api/seckill/orders')) dropFirst?.();
      });
      await page.locator(`[data-testid="buy-${charger}"]`).click();
      await outcome(page, charger, 'success');
      assert.ok(sockets >= 2, `the socket was reopened (${sockets} opened)`);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  it('asks the shopper to log in again when the notifier refuses the token (close code 4401)', async () => {
    const cable = await seedSale(env.databaseUrl, { name: 'HDMI cable', stock: 5 });
    const shopper = await newShopper();
    const context = await browser.newContext(DESKTOP);
    try {
      // A notifier that refuses every token, as one with another JWT_SECRET would (order-api still accepts it).
      await context.routeWebSocket(`ws://127.0.0.1:${product.notifier.port}/**`, (ws) => void ws.close({ code: 4401, reason: 'invalid or missing token' }));
      const { page, problems } = await openShop(context);
      await logIn(page, shopper);
      await page.locator(`[data-testid="buy-${cable}"]`).click();
      await page.locator('#auth-notice', { hasText: 'log in again' }).waitFor();
      await page.locator('#login-form').waitFor();
      assert.match(await page.locator(`[data-testid="outcome-${cable}"]`).innerText(), /log in again/i);
      assert.equal(await page.evaluate(SESSION_IS_STORED), false, 'the refused token is forgotten');
      await shot(page, 'login-again');
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
});

describe('the shopper page while the notifier is down', () => {
  it('places the order anyway and polls its outcome', async () => {
    const kettle = await seedSale(env.databaseUrl, { name: 'Electric kettle', stock: 5 });
    const shopper = await newShopper();
    const notifier = product.notifier;
    await notifier.stop();
    try {
      await inShop(shopper, async (page, problems) => {
        await page.locator(`[data-testid="buy-${kettle}"]`).click();
        const panel = await outcome(page, kettle, 'success');
        assert.equal(await panel.getAttribute('data-via'), 'poll');
        assert.match(await page.locator(`[data-testid="order-no-${kettle}"]`).innerText(), /^\d+$/);
        await shot(page, 'success-polled');
        assert.deepEqual(problems, []);
      });
    } finally {
      // Back on the same port (the one order-api tells pages about) for the tests after this one.
      await product.replace(notifier, { label: 'notifier-restarted' });
    }
  });
});

describe('the shopper page on a phone', () => {
  it('fits a 390x844 screen without sideways scrolling', async () => {
    const toaster = await seedSale(env.databaseUrl, { name: 'Toaster', stock: 5 });
    const shopper = await newShopper();
    // An order of its own, so "Your orders" has a row and buying again has an answer to show.
    await buyThroughApi(toaster, shopper.token);
    await inShop(
      shopper,
      async (page, problems) => {
        await page.locator('#orders .order-row').first().waitFor();
        const overflow = Number(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'));
        assert.ok(overflow <= 0, `no horizontal overflow (${overflow}px)`);
        await shot(page, 'phone-full');
        await page.screenshot({ path: join(SCREENSHOTS, 'phone.png') });
        // Tapping buy on a phone: the outcome shows under the button, where the thumb is.
        await page.locator(`[data-testid="buy-${toaster}"]`).tap();
        await outcome(page, toaster, 'fail-already-ordered');
        await page.locator(`[data-testid="item-${toaster}"]`).scrollIntoViewIfNeeded();
        await page.screenshot({ path: join(SCREENSHOTS, 'phone-outcome.png') });
        assert.deepEqual(problems, []);
      },
      { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
    );
  });
});
