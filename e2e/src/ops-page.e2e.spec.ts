import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { ChannelModel } from 'amqplib';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ConfirmedPublisher, connectAmqp, createAmqpConnection } from '@seckill/messaging';
import { ARTIFACTS, burst, mintToken, request, seedSale, seedShoppers, sql, startProduct, TEST_JWT_SECRET, type AppProcess, type Product, type TestEnv } from '@seckill/testing';

/**
 * The ops console (/ops) in Debian's Chromium, driven by playwright-core, against real order-api, order-worker
 * and websocket-notifier processes: a shopper is turned away, an admin watches a small sale settle (the page's
 * numbers must equal PostgreSQL's, its charts must move), then parks a poisoned message and replays it.
 * Every wait is on a DOM state; screenshots land in artifacts/screenshots/ops-*.png.
 */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SCREENSHOTS = join(ARTIFACTS, 'screenshots');
/** The page polls every 2 s and RabbitMQ's management API samples every 5 s; the margin is for a loaded machine. */
const SETTLE_MS = 30_000;
const PENDING = 'seckill.order.pending';
const PENDING_LOT = 'seckill.order.pending.parking-lot';
const UNITS = 50;
const SHOPPERS = 200;
const OPERATOR = { username: 'olivia', password: 'shopper-not-admin' };

let product: Product;
let env: TestEnv;
let api: AppProcess;
let browser: Browser;
let sale: number;

before(async () => {
  product = await startProduct('e2e-ops', { collector: false });
  ({ env, api } = product);
  sale = await seedSale(env.databaseUrl, { name: 'Flash drive 256 GB', stock: UNITS });
  mkdirSync(SCREENSHOTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
});

after(async () => {
  await browser?.close();
  await product?.stop();
});

/** Waits until the element with this test id shows exactly `text`. */
async function shows(page: Page, testid: string, text: string): Promise<void> {
  await page.locator(`[data-testid="${testid}"]`, { hasText: new RegExp(`^\\s*${text}\\s*$`) }).waitFor({ timeout: SETTLE_MS });
}

async function shot(page: Page, name: string): Promise<void> {
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: join(SCREENSHOTS, `ops-${name}.png`), fullPage: true });
}

async function logIn(page: Page, username: string, password: string): Promise<void> {
  // By keyboard only, as an operator without a mouse would.
  await page.locator('#login-username').focus();
  await page.keyboard.press('Control+A');
  await page.keyboard.type(username);
  await page.keyboard.press('Tab');
  await page.keyboard.type(password);
  await page.keyboard.press('Enter');
}

/** Logs the admin in and waits for the console. */
async function asAdmin(page: Page): Promise<void> {
  await logIn(page, 'admin', 'admin');
  await page.locator('[data-testid="console"]').waitFor({ timeout: SETTLE_MS });
  await page.locator('[data-testid="username"]', { hasText: 'admin' }).waitFor();
}

describe('the ops page', () => {
  // A page of its own for every test (logged out at first), so any test can run alone.
  let context: BrowserContext;
  let page: Page;
  let problems: string[];

  beforeEach(async () => {
    problems = [];
    context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    page = await context.newPage();
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy|Uncaught/i.test(m.text())) problems.push(`console: ${m.text()}`);
    });
    await page.goto(`${api.url}/ops`);
    await page.locator('[data-testid="login-form"]').waitFor();
  });

  afterEach(async () => {
    await context?.close();
  });

  it('is served at /ops with its assets under /ops/, and unknown paths still answer the JSON 404', async () => {
    const html = await fetch(`${api.url}/ops`);
    assert.equal(html.status, 200);
    assert.match(html.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(html.headers.get('cache-control'), 'no-cache');
    assert.match(html.headers.get('content-security-policy') ?? '', /connect-src 'self'; /);
    assert.match(await html.text(), /<title>Operations/);
    for (const [path, type] of [['/ops/ops.js', /javascript/], ['/ops/ops.css', /text\/css/]] as const) {
      const asset = await fetch(`${api.url}${path}`);
      assert.equal(asset.status, 200, path);
      assert.match(asset.headers.get('content-type') ?? '', type, path);
      await asset.arrayBuffer();
    }
    for (const path of ['/ops/missing.js', '/ops/tsconfig.json', '/ops/index.html', '/ops/']) {
      const missing = await request<{ code: string }>(api.url, 'GET', path);
      assert.deepEqual([missing.status, missing.body.code], [404, 'NOT_FOUND'], path);
    }
    assert.equal((await fetch(`${api.url}/shop/shop.js`)).status, 200, 'the shop is still served');
    await shot(page, 'login');
    assert.deepEqual(problems, []);
  });

  it('turns a shopper away with a clear message (the API answers 403 FORBIDDEN), then lets the admin in', async () => {
    const registered = await request<{ id: number; username: string }>(api.url, 'POST', '/api/auth/register', { json: OPERATOR });
    assert.equal(registered.status, 201);
    const forbidden = await request<{ code: string }>(api.url, 'GET', '/api/admin/ops/overview', { token: mintToken(TEST_JWT_SECRET, registered.body) });
    assert.deepEqual([forbidden.status, forbidden.body.code], [403, 'FORBIDDEN']);

    await logIn(page, OPERATOR.username, OPERATOR.password);
    const notice = page.locator('[data-testid="login-notice"][data-kind="forbidden"]');
    await notice.waitFor({ timeout: SETTLE_MS });
    assert.match(await notice.innerText(), /“olivia” is not an administrator/);
    assert.ok(await page.locator('[data-testid="console"]').isHidden(), 'no data is shown to a shopper');
    await shot(page, 'forbidden');

    await asAdmin(page);
    await shows(page, `sale-${sale}-left-db`, String(UNITS));
    await shows(page, `sale-${sale}-sold`, '0');
    await page.locator(`[data-testid="queue-${PENDING}"]`).waitFor({ timeout: SETTLE_MS });
    assert.deepEqual(problems, [], 'no page errors, no CSP violations');
  });

  it('follows a sale live: its numbers settle on what PostgreSQL holds and the queue charts move', async () => {
    // A sale of this test's own (the one seeded for the suite stays untouched).
    const sale = await seedSale(env.databaseUrl, { name: 'Flash drive 512 GB', stock: UNITS });
    await asAdmin(page);
    await shows(page, `sale-${sale}-sold`, '0');
    const shoppers = await seedShoppers(env.databaseUrl, SHOPPERS, 'ops-shopper');
    const order = (group: typeof shoppers) => burst(`${api.url}/api/seckill/orders`, group.map((s) => ({ token: mintToken(TEST_JWT_SECRET, s), body: { seckillGoodId: sale } })));
    // RabbitMQ derives a rate from two of its 5-s samples, so a brand-new queue whose first sample already holds
    // the whole burst never shows one. A first order gives the pending queue that first sample, as any running
    // system has long had.
    const [early, ...crowd] = shoppers;
    assert.equal((await order([early!]))[0]!.status, 202);
    await shows(page, `sale-${sale}-sold`, '1');
    await until(async () => 'message_stats' in (await env.management.queue(env.vhost, PENDING)), 'RabbitMQ sampled the pending queue');

    const answers = await order(crowd);
    assert.equal(answers.filter((a) => a.status === 202).length, UNITS - 1, 'exactly the stock is accepted');

    await shows(page, `sale-${sale}-sold`, String(UNITS));
    await shows(page, `sale-${sale}-left-db`, '0');
    await shows(page, `sale-${sale}-left-redis`, '0');
    await shows(page, `sale-${sale}-drift`, '0');
    await shows(page, `sale-${sale}-orders-UNPAID`, String(UNITS));
    await shows(page, `sale-${sale}-requests-SUCCESS`, String(UNITS));

    const [good] = await sql<{ stock_left: number; stock_total: number }>(env.databaseUrl, 'SELECT stock_left, stock_total FROM seckill_goods WHERE id = $1', [sale]);
    const byStatus = new Map((await sql<{ status: string; n: number }>(env.databaseUrl, 'SELECT status, count(*)::int AS n FROM orders WHERE seckill_good_id = $1 GROUP BY status', [sale])).map((r) => [r.status, r.n]));
    const requests = new Map((await sql<{ status: string; n: number }>(env.databaseUrl, 'SELECT status, count(*)::int AS n FROM order_requests WHERE seckill_good_id = $1 GROUP BY status', [sale])).map((r) => [r.status, r.n]));
    const cell = async (suffix: string) => Number((await page.locator(`[data-testid="sale-${sale}-${suffix}"]`).innerText()).replace(/,/g, ''));
    assert.equal(await cell('left-db'), good!.stock_left);
    assert.equal(await cell('sold'), good!.stock_total - good!.stock_left);
    for (const status of ['UNPAID', 'PAID', 'CANCELLED', 'TIMEOUT']) assert.equal(await cell(`orders-${status}`), byStatus.get(status) ?? 0, status);
    for (const status of ['SUCCESS', 'FAIL']) assert.equal(await cell(`requests-${status}`), requests.get(status) ?? 0, status);
    assert.equal(await page.locator(`[data-testid="sale-${sale}"]`).getAttribute('data-status'), 'sold_out');

    // The flood went through the pending queue: its charts must have drawn non-zero rates from several samples.
    const rates = page.locator(`[data-testid="chart-rates"][data-queue="${PENDING}"][data-moved="true"]`);
    await rates.waitFor({ timeout: SETTLE_MS });
    assert.ok(Number(await rates.getAttribute('data-points')) >= 2, 'the rates chart has several samples');
    assert.ok(Number(await rates.getAttribute('data-max')) > 0);
    await page.locator(`[data-testid="spark-${PENDING}"][data-moved="true"]`).waitFor({ timeout: SETTLE_MS });
    assert.ok((await rates.locator('path.line').count()) >= 1, 'lines are drawn');
    await page.locator('[data-testid="tile-sold"] .tile-value', { hasText: String(UNITS) }).waitFor();

    await shot(page, 'sale');
    // A 13-inch laptop: everything fits without sideways scrolling.
    await page.setViewportSize({ width: 1280, height: 800 });
    const overflow = Number(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'));
    assert.ok(overflow <= 0, `a laptop screen never scrolls sideways (${overflow}px)`);
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: join(SCREENSHOTS, 'ops-laptop.png') });
    assert.deepEqual(problems, [], 'no page errors, no CSP violations');
  });

  it('shows a poisoned message in its parking lot and replays it after confirmation', async () => {
    await asAdmin(page);
    const lot = (suffix = '') => `lot-${PENDING_LOT}${suffix}`;
    const amqp: AmqpConnectionManager = createAmqpConnection({ url: env.amqpUrl, name: 'e2e-ops-poison' });
    const publisher = new ConfirmedPublisher(amqp, 5000);
    const uuid = randomUUID();
    try {
      await publisher.waitForConnect();
      // Valid JSON, but not an order: the worker parks it at once instead of retrying it.
      await publisher.publish('seckill.order', 'order.pending', 'this is not an order', { uuid });
    } finally {
      await publisher.close();
      await amqp.close();
    }
    await shows(page, lot('-count'), '1');
    await page.locator(`[data-testid="${lot()}"][data-state="parked"]`).waitFor();
    await page.locator('[data-testid="tile-parked"][data-state="alarm"]').waitFor({ timeout: SETTLE_MS });
    await shot(page, 'parked');

    // Keyboard first: Enter opens the dialog with Cancel focused, Escape closes it and nothing is replayed.
    const replay = page.locator(`[data-testid="replay-${PENDING_LOT}"]`);
    await replay.focus();
    await page.keyboard.press('Enter');
    const dialog = page.locator('[data-testid="confirm-dialog"][open]');
    await dialog.waitFor();
    assert.equal(await page.evaluate('document.activeElement && document.activeElement.id'), 'confirm-cancel', 'the safe choice has focus');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.equal(await page.evaluate('document.activeElement && document.activeElement.dataset.testid'), `replay-${PENDING_LOT}`, 'focus returns to the button');
    assert.equal(await page.locator(`[data-testid="replay-result-${PENDING_LOT}"]`).innerText(), '', 'cancelled: nothing replayed');

    await replay.click();
    await dialog.waitFor();
    assert.match(await dialog.innerText(), new RegExp(`1 message in ${PENDING_LOT.replace(/\./g, '\\.')} will be sent back to ${PENDING.replace(/\./g, '\\.')}`));
    // The viewport only: a modal dialog and its backdrop are fixed to it.
    await page.screenshot({ path: join(SCREENSHOTS, 'ops-replay-confirm.png') });
    await page.locator('[data-testid="confirm-ok"]').click();
    const result = page.locator(`[data-testid="replay-result-${PENDING_LOT}"][data-replayed="1"]`);
    await result.waitFor({ timeout: SETTLE_MS });
    assert.match(await result.innerText(), new RegExp(`Replayed 1 message to ${PENDING.replace(/\./g, '\\.')}`));

    // Still not an order, so the worker parks it again: back in the lot, now carrying the replay's mark.
    const again = await parkedAgain(uuid);
    assert.equal(again.replayedBy, 'admin');
    await shows(page, lot('-count'), '1');
    await shot(page, 'replayed');
    assert.deepEqual(problems, [], 'no page errors, no CSP violations');
  });
});

/** Polls a condition outside the page (the broker's statistics) until it holds. */
async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + SETTLE_MS;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Waits for the poisoned message to be back in the pending queue's parking lot, and peeks at it (requeued). */
async function parkedAgain(uuid: string): Promise<{ replayedBy: unknown }> {
  const connection: ChannelModel = await connectAmqp(env.amqpUrl);
  try {
    const channel = await connection.createChannel();
    const deadline = Date.now() + SETTLE_MS;
    while (Date.now() < deadline) {
      const message = await channel.get(PENDING_LOT, { noAck: false });
      if (message) {
        channel.nack(message, false, true);
        assert.equal(message.properties.messageId, uuid);
        const headers = message.properties.headers ?? {};
        if (headers['x-replayed-by'] !== undefined) return { replayedBy: headers['x-replayed-by'] };
      }
      // Not parked again yet: the worker is still taking it from the pending queue.
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the replayed message did not come back to its parking lot');
  } finally {
    await connection.close();
  }
}
