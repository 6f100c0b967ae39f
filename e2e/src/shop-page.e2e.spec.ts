import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import {
  AppProcess,
  ARTIFACTS,
  createTestEnv,
  freePort,
  mintToken,
  request,
  ResultCollector,
  seedSale,
  seedShoppers,
  TEST_JWT_SECRET,
  type TestEnv,
} from '@seckill/testing';

/**
 * The shopper page in a real browser (Debian's Chromium driven by playwright-core; scripts/ensure-chromium.sh
 * installs it) against real order-api, order-worker and websocket-notifier processes. Every wait is on a DOM
 * state (`data-state` of an outcome panel, a badge, a disabled button), never a fixed sleep. Screenshots of each
 * state land in artifacts/screenshots/.
 */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SCREENSHOTS = join(ARTIFACTS, 'screenshots');
/** Outcomes take milliseconds; the margin is for a loaded CI machine. */
const OUTCOME_TIMEOUT_MS = 20_000;
const SHOPPER = { username: 'dana', password: 'correct horse battery' };

let env: TestEnv;
let api: AppProcess;
let worker: AppProcess;
let notifier: AppProcess;
let browser: Browser;
let keyboard: number;
let lamp: number;
let headphones: number;
let espresso: number;
let watch: number;
let charger: number;

before(async () => {
  env = await createTestEnv('e2e-shop-page');
  const notifierPort = await freePort();
  notifier = new AppProcess('websocket-notifier', `e2e-shop-notifier-${env.id}`, notifierPort, env.vars);
  api = new AppProcess('order-api', `e2e-shop-api-${env.id}`, await freePort(), {
    ...env.vars,
    NOTIFIER_PORT: String(notifierPort),
    NOTIFIER_PUBLIC_URL: `ws://127.0.0.1:${notifierPort}`,
  });
  worker = new AppProcess('order-worker', `e2e-shop-worker-${env.id}`, await freePort(), env.vars);
  await Promise.all([api.start(), worker.start(), notifier.start()]);

  const hour = 3_600_000;
  watch = await seedSale(env.databaseUrl, { name: 'Smart watch', stock: 3, startTime: new Date(Date.now() - 3 * hour), endTime: new Date(Date.now() - hour) });
  keyboard = await seedSale(env.databaseUrl, { name: 'Mechanical keyboard', stock: 5 });
  lamp = await seedSale(env.databaseUrl, { name: 'Desk lamp', stock: 5 });
  charger = await seedSale(env.databaseUrl, { name: 'USB-C charger', stock: 5 });
  headphones = await seedSale(env.databaseUrl, { name: 'Noise-cancelling headphones', stock: 1 });
  espresso = await seedSale(env.databaseUrl, { name: 'Espresso machine', stock: 20, startTime: new Date(Date.now() + 1.5 * hour), endTime: new Date(Date.now() + 3 * hour) });
  await sellOut(headphones);

  mkdirSync(SCREENSHOTS, { recursive: true });
  // launch() gives every run a fresh temporary profile (user-data-dir) of its own and removes it on close.
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
});

after(async () => {
  await browser?.close();
  await Promise.all([api?.stop(), worker?.stop(), notifier?.stop()]);
  await env?.cleanup();
});

/** Another shopper buys the only unit through the API, so the item is really sold out everywhere. */
async function sellOut(goodId: number): Promise<void> {
  const results = await ResultCollector.start(env.amqpUrl);
  try {
    const [rival] = await seedShoppers(env.databaseUrl, 1, 'rival');
    const placed = await request<{ uuid: string }>(api.url, 'POST', '/api/seckill/orders', { token: mintToken(TEST_JWT_SECRET, rival!), json: { seckillGoodId: goodId } });
    assert.equal(placed.status, 202);
    await results.waitForAll([placed.body.uuid], OUTCOME_TIMEOUT_MS);
    assert.equal(results.results.get(placed.body.uuid)!.status, 'SUCCESS');
  } finally {
    await results.close();
  }
}

/** A page that records what must never happen: uncaught errors and Content-Security-Policy violations. */
async function openShop(context: BrowserContext): Promise<{ page: Page; problems: string[] }> {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Uncaught/i.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  await page.goto(api.url);
  await page.locator(`[data-testid="item-${keyboard}"]`).waitFor();
  return { page, problems };
}

async function logIn(page: Page): Promise<void> {
  // By keyboard only, as a shopper without a mouse would.
  await page.locator('#login-username').focus();
  await page.keyboard.type(SHOPPER.username);
  await page.keyboard.press('Tab');
  await page.keyboard.type(SHOPPER.password);
  await page.keyboard.press('Enter');
  await page.locator('[data-testid="username"]', { hasText: SHOPPER.username }).waitFor();
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
  let context: BrowserContext;
  let page: Page;
  let problems: string[];

  before(async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    ({ page, problems } = await openShop(context));
  });

  after(async () => {
    await context?.close();
  });

  it('is served at / with its assets under /shop/, and unknown paths still answer the JSON 404', async () => {
    const home = await fetch(`${api.url}/`);
    assert.equal(home.status, 200);
    assert.match(home.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(home.headers.get('cache-control'), 'no-cache');
    assert.match(home.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    assert.match(await home.text(), /<title>Flash sale/);
    for (const [path, type] of [['/shop/shop.js', /javascript/], ['/shop/shop.css', /text\/css/], ['/web-common/session.js', /javascript/], ['/web-common/base.css', /text\/css/]] as const) {
      const asset = await fetch(`${api.url}${path}`);
      assert.equal(asset.status, 200, path);
      assert.match(asset.headers.get('content-type') ?? '', type, path);
      assert.ok(asset.headers.get('etag') || asset.headers.get('last-modified'), `${path} can be revalidated`);
      await asset.arrayBuffer();
    }
    for (const path of ['/shop/missing.js', '/shop/tsconfig.json', '/shop/', '/web-common/tsconfig.json', '/nothing-here', '/api/nothing-here']) {
      const missing = await request<{ statusCode: number; code: string }>(api.url, 'GET', path);
      assert.deepEqual([missing.status, missing.body.code], [404, 'NOT_FOUND'], path);
    }
    assert.equal((await fetch(`${api.url}/docs`)).status, 200, 'the OpenAPI UI still works');
    const config = await request<Record<string, unknown>>(api.url, 'GET', '/api/client-config');
    assert.equal(config.status, 200);
    assert.deepEqual(config.body, { notifierUrl: `ws://127.0.0.1:${notifier.port}`, notifierPort: notifier.port, paymentWindowSeconds: 900 });
  });

  it('shows every item with prices, stock and status: upcoming counts down, sold out and ended cannot be bought', async () => {
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

    const keyboardCard = await card(keyboard).innerText();
    assert.match(keyboardCard, /Mechanical keyboard/);
    assert.match(keyboardCard, /\$9\.90/);
    assert.match(keyboardCard, /\$100\.00/);
    assert.match(keyboardCard, /5 of 5 left/);
    assert.equal(await card(keyboard).locator('del').count(), 1, 'the regular price is struck through');
    assert.match(await page.locator(`[data-testid="buy-${keyboard}"]`).innerText(), /Log in to buy/);
    await shot(page, 'logged-out');
  });

  it('registers a shopper, logs out and in again through the forms', async () => {
    await page.locator('#show-register').click();
    await page.locator('#register-username').fill(SHOPPER.username);
    await page.locator('#register-password').fill(SHOPPER.password);
    await page.locator('[data-testid="register-submit"]').click();
    await page.locator('[data-testid="username"]', { hasText: SHOPPER.username }).waitFor();
    assert.ok(await page.evaluate(SESSION_IS_STORED), 'the token is kept in sessionStorage');

    await page.locator('[data-testid="logout"]').click();
    await page.locator('#login-form').waitFor();
    assert.equal(await page.evaluate(SESSION_IS_STORED), false, 'logging out forgets the token');

    await page.locator('#login-username').fill(SHOPPER.username);
    await page.locator('#login-password').fill('wrong password');
    await page.locator('[data-testid="login-submit"]').click();
    await page.locator('#login-error', { hasText: 'Wrong username or password' }).waitFor();

    await page.locator('#login-username').fill('');
    await page.locator('#login-password').fill('');
    await logIn(page);
    assert.match(await page.locator(`[data-testid="buy-${keyboard}"]`).innerText(), /Buy now/);
  });

  it('buys an item and shows the success pushed by the notifier, with the order number and the payment countdown', async () => {
    const buy = page.locator(`[data-testid="buy-${keyboard}"]`);
    await buy.focus();
    await page.keyboard.press('Enter');
    const panel = await outcome(page, keyboard, 'success');
    assert.equal(await panel.getAttribute('data-via'), 'push', 'the outcome came over the WebSocket');
    const orderNo = (await page.locator(`[data-testid="order-no-${keyboard}"]`).innerText()).trim();
    assert.match(orderNo, /^\d+$/);
    await page.waitForSelector(`[data-testid="outcome-${keyboard}"] .countdown:text-matches("^1[45]:[0-9]{2}$")`);
    await page.locator(`[data-testid="order-${orderNo}"]`).waitFor();
    assert.match(await page.locator(`[data-testid="order-${orderNo}"]`).innerText(), /Awaiting payment/);
    await page.locator(`[data-testid="item-${keyboard}"]`).locator('.stock-text', { hasText: '4 of 5 left' }).waitFor();
    await shot(page, 'success');
  });

  it('pays from the success panel, or shows why the payment failed', async () => {
    await page.locator(`[data-testid="pay-${keyboard}"]`).click();
    const settled = await page.waitForSelector(
      `[data-testid="outcome-${keyboard}"][data-state="paid"], [data-testid="outcome-${keyboard}"] .pay-error:not(:empty)`,
      { timeout: OUTCOME_TIMEOUT_MS },
    );
    const text = await settled.innerText();
    assert.ok(/Paid/.test(text) || text.trim().length > 0, `payment answered: ${text}`);
    await shot(page, 'after-pay');
  });

  it('buying the same item again says "You already ordered this item"', async () => {
    await page.locator(`[data-testid="buy-${keyboard}"]`).click();
    const panel = await outcome(page, keyboard, 'fail-already-ordered');
    assert.match(await panel.innerText(), /You already ordered this item/);
    await shot(page, 'fail-already-ordered');
  });

  it('opens an upcoming sale when its countdown ends, and sells it', async () => {
    const soon = await seedSale(env.databaseUrl, { name: 'Wireless earbuds', stock: 3, startTime: new Date(Date.now() + 6000) });
    const card = `[data-testid="item-${soon}"]`;
    await page.waitForSelector(`${card}[data-status="upcoming"] .timing-value:text-matches("^00:0[0-9]$")`);
    assert.ok(await page.locator(`[data-testid="buy-${soon}"]`).isDisabled());
    await page.waitForSelector(`${card}[data-status="live"] [data-testid="buy-${soon}"]:not([disabled])`, { timeout: OUTCOME_TIMEOUT_MS });
    await page.locator(`[data-testid="buy-${soon}"]`).click();
    await outcome(page, soon, 'success');
  });

  it('a page that still shows a sold-out item as live gets "sold out" when the shopper tries', async () => {
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

describe('the shopper page when its socket misbehaves', () => {
  it('reopens a socket that drops before the outcome, and still shows it', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      let sockets = 0;
      let dropFirst: (() => void) | undefined;
      // The first socket reaches the real notifier and is cut as soon as the order is posted; later ones pass.
      await context.routeWebSocket(`ws://127.0.0.1:${notifier.port}/**`, (ws) => {
        sockets += 1;
        ws.connectToServer();
        if (sockets === 1) dropFirst = () => void ws.close({ code: 1012, reason: 'restarting' });
      });
      const { page, problems } = await openShop(context);
      await logIn(page);
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
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      // A notifier that refuses every token, as one with another JWT_SECRET would (order-api still accepts it).
      await context.routeWebSocket(`ws://127.0.0.1:${notifier.port}/**`, (ws) => void ws.close({ code: 4401, reason: 'invalid or missing token' }));
      const { page, problems } = await openShop(context);
      await logIn(page);
      await page.locator(`[data-testid="buy-${charger}"]`).click();
      await page.locator('#auth-notice', { hasText: 'log in again' }).waitFor();
      await page.locator('#login-form').waitFor();
      assert.match(await page.locator(`[data-testid="outcome-${charger}"]`).innerText(), /log in again/i);
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
    await notifier.stop();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const { page, problems } = await openShop(context);
      await logIn(page);
      await page.locator(`[data-testid="buy-${lamp}"]`).click();
      const panel = await outcome(page, lamp, 'success');
      assert.equal(await panel.getAttribute('data-via'), 'poll');
      assert.match(await page.locator(`[data-testid="order-no-${lamp}"]`).innerText(), /^\d+$/);
      await shot(page, 'success-polled');
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
      notifier = new AppProcess('websocket-notifier', `e2e-shop-notifier-restarted-${env.id}`, notifier.port, env.vars);
      await notifier.start();
    }
  });
});

describe('the shopper page on a phone', () => {
  it('fits a 390x844 screen without sideways scrolling', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    try {
      const { page, problems } = await openShop(context);
      await logIn(page);
      await page.locator('#orders .order-row').first().waitFor();
      const overflow = Number(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'));
      assert.ok(overflow <= 0, `no horizontal overflow (${overflow}px)`);
      await shot(page, 'phone-full');
      await page.screenshot({ path: join(SCREENSHOTS, 'phone.png') });
      // Tapping buy on a phone: the outcome shows under the button, where the thumb is.
      await page.locator(`[data-testid="buy-${keyboard}"]`).tap();
      await outcome(page, keyboard, 'fail-already-ordered');
      await page.locator(`[data-testid="item-${keyboard}"]`).scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(SCREENSHOTS, 'phone-outcome.png') });
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
});
