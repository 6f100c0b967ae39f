import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { RoomTicket, WaitingRoom, WaitingRoomSettings } from '@seckill/contracts';
import { ARTIFACTS, mintToken, request, seedSale, seedShoppers, startProduct, TEST_JWT_SECRET, type Product, type TestEnv } from '@seckill/testing';

/**
 * The waiting room's pages in Debian's Chromium (playwright-core), against real order-api, order-worker and
 * websocket-notifier processes. The shop: a shopper queues behind others in a slow room (place, people ahead,
 * estimate and progress, pushed by the notifier), is admitted and buys with the admission token; a room closes
 * on sell-out while the shopper waits; the place is polled when the room socket is down; an admission that ran
 * out before the order went in sends the shopper back into line; an item without a room buys as before; before
 * the pre-queue window the card counts down to it. The ops console: the Waiting rooms section shows a room, and
 * its form changes the rate (after confirmation). Rooms are set through the admin API (PUT …/waiting-room), as an
 * operator would. Every wait is on a DOM state; screenshots land in artifacts/screenshots/room-*.png.
 */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SCREENSHOTS = join(ARTIFACTS, 'screenshots');
/** Long enough for a place a dozen behind at one admission a second, on a loaded machine. */
const ROOM_TIMEOUT_MS = 45_000;
const DESKTOP = { viewport: { width: 1280, height: 900 } };
/**
 * Admissions lapse after this (ROOM_ADMISSION_TTL_SECONDS, at its minimum): short enough that a test can let
 * one run out for real, and a shopper admitted in these tests orders within milliseconds anyway.
 */
const ADMISSION_TTL_SECONDS = 5;

let product: Product;
let env: TestEnv;
let browser: Browser;
let adminToken: string;
let shoppers = 0;

before(async () => {
  product = await startProduct('e2e-room-pages', { vars: { ROOM_ADMISSION_TTL_SECONDS: String(ADMISSION_TTL_SECONDS) } });
  env = product.env;
  const login = await request<{ accessToken: string }>(product.api.url, 'POST', '/api/auth/login', { json: { username: 'admin', password: 'admin' } });
  assert.equal(login.status, 200, JSON.stringify(login.body));
  adminToken = login.body.accessToken;
  mkdirSync(SCREENSHOTS, { recursive: true });
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

/** A shopper registered through the API, who logs in through the page's form. */
async function newShopper(): Promise<Shopper> {
  shoppers += 1;
  const credentials = { username: `roomer-${shoppers}-${env.id.slice(-8)}`, password: 'correct horse battery' };
  const registered = await request<{ id: number; username: string }>(product.api.url, 'POST', '/api/auth/register', { json: credentials });
  assert.equal(registered.status, 201, JSON.stringify(registered.body));
  return { ...credentials, token: mintToken(TEST_JWT_SECRET, registered.body) };
}

/** Shoppers who only ever use the API (the others in line), with their tokens. */
async function crowd(count: number, prefix: string): Promise<string[]> {
  return (await seedShoppers(env.databaseUrl, count, `${prefix}-${env.id.slice(-8)}`)).map((s) => mintToken(TEST_JWT_SECRET, s));
}

async function setRoom(itemId: number, settings: WaitingRoomSettings): Promise<WaitingRoom> {
  const set = await request<WaitingRoom>(product.api.url, 'PUT', `/api/admin/seckill/goods/${itemId}/waiting-room`, { token: adminToken, json: settings });
  assert.equal(set.status, 200, JSON.stringify(set.body));
  return set.body;
}

async function joinRoom(itemId: number, token: string): Promise<RoomTicket> {
  const joined = await request<RoomTicket>(product.api.url, 'POST', `/api/seckill/goods/${itemId}/room`, { token });
  assert.equal(joined.status, 200, JSON.stringify(joined.body));
  return joined.body;
}

/** Polls a shopper's ticket over the API (outside the page) until it says ADMITTED. */
async function admitted(itemId: number, token: string): Promise<RoomTicket> {
  const deadline = Date.now() + ROOM_TIMEOUT_MS;
  for (;;) {
    const ticket = await request<RoomTicket>(product.api.url, 'GET', `/api/seckill/goods/${itemId}/room`, { token });
    assert.equal(ticket.status, 200, JSON.stringify(ticket.body));
    if (ticket.body.status === 'ADMITTED') return ticket.body;
    if (Date.now() > deadline) throw new Error(`never admitted: ${JSON.stringify(ticket.body)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function openPage(context: BrowserContext, path: string): Promise<{ page: Page; problems: string[] }> {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Uncaught/i.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  await page.goto(`${product.api.url}${path}`);
  await page.waitForSelector('html[data-ready="true"]');
  return { page, problems };
}

/** Runs `body` in a fresh browser context whose page shows the shop, logged in as `shopper`. */
async function inShop(shopper: Shopper, body: (page: Page, problems: string[], context: BrowserContext) => Promise<void>, setUp?: (context: BrowserContext) => Promise<void>): Promise<void> {
  const context = await browser.newContext(DESKTOP);
  try {
    await setUp?.(context);
    const { page, problems } = await openPage(context, '/');
    await page.locator('#login-username').fill(shopper.username);
    await page.locator('#login-password').fill(shopper.password);
    await page.locator('[data-testid="login-submit"]').click();
    await page.locator('[data-testid="username"]', { hasText: shopper.username }).waitFor();
    await body(page, problems, context);
  } finally {
    await context.close();
  }
}

const roomPanel = (id: number, state: string, extra = '') => `[data-testid="room-${id}"][data-state="${state}"]${extra}`;
const outcome = (page: Page, id: number, state: string) => page.waitForSelector(`[data-testid="outcome-${id}"][data-state="${state}"]`, { timeout: ROOM_TIMEOUT_MS });

/** The order requests the page posts, as parsed bodies. */
function recordOrders(page: Page): Record<string, unknown>[] {
  const bodies: Record<string, unknown>[] = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().endsWith('/api/seckill/orders')) bodies.push(JSON.parse(r.postData() ?? '{}') as Record<string, unknown>);
  });
  return bodies;
}

/** Full-page screenshot from the top (the sticky header would otherwise be drawn where the page was scrolled to). */
async function shot(page: Page, name: string): Promise<void> {
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: join(SCREENSHOTS, `room-${name}.png`), fullPage: true });
}

describe('the shop with a waiting room', () => {
  it('queues the shopper behind others (place, people ahead, estimate, progress), admits them and buys with the admission token', async () => {
    const item = await seedSale(env.databaseUrl, { name: 'Limited sneakers', stock: 20 });
    await setRoom(item, { enabled: true, admitPerSecond: 1, preQueueSeconds: 0 });
    const others = await crowd(6, 'ahead');
    await inShop(await newShopper(), async (page, problems) => {
      await page.locator(`[data-testid="item-${item}"][data-room="open"]`).waitFor({ timeout: ROOM_TIMEOUT_MS });
      const buy = page.locator(`[data-testid="buy-${item}"]`);
      assert.match(await buy.innerText(), /Join the line/);
      const orders = recordOrders(page);
      // When the order goes out, the panel shows the turn and the time left on it (the route holds the request
      // only while the DOM is read).
      let atOrder: { state: string | null; left: string } | undefined;
      await page.route('**/api/seckill/orders', async (route) => {
        atOrder ??= { state: await page.locator(`[data-testid="room-${item}"]`).getAttribute('data-state'), left: await page.locator(`[data-testid="room-expires-${item}"]`).innerText() };
        await page.screenshot({ path: join(SCREENSHOTS, 'room-admitted.png') });
        await route.continue();
      });

      for (const token of others) assert.match((await joinRoom(item, token)).status, /^(WAITING|ADMITTED)$/);
      await buy.click();
      const waiting = page.locator(roomPanel(item, 'waiting'));
      await waiting.waitFor({ timeout: ROOM_TIMEOUT_MS });
      const position = Number(await waiting.getAttribute('data-position'));
      assert.ok(position >= 2, `others are ahead (place ${position})`);
      assert.equal(await page.locator(`[data-testid="room-position-${item}"]`).innerText(), String(position));
      assert.equal(Number(await page.locator(`[data-testid="room-ahead-${item}"]`).innerText()), position - 1);
      assert.match(await page.locator(`[data-testid="room-eta-${item}"]`).innerText(), /^(about \d+ (seconds|minutes?)|any moment now)$/);
      assert.match(await buy.innerText(), /In line/);
      assert.equal(await buy.getAttribute('aria-disabled'), 'true', 'the button does nothing more while the shopper waits');
      assert.equal(await page.locator(`[data-testid="room-${item}"] [role="status"][aria-live="polite"]`).count(), 1, 'the place is told to screen readers');
      // The place moves as the room admits, pushed by the notifier, and the bar with it.
      await page.waitForSelector(roomPanel(item, 'waiting', '[data-via="push"]'), { timeout: ROOM_TIMEOUT_MS });
      // The bar's zero is the place first seen: any progress means the place moved up.
      await page.waitForSelector(`[data-testid="room-progress-${item}"]:not([data-progress="0"])`, { timeout: ROOM_TIMEOUT_MS });
      await shot(page, 'waiting');

      await outcome(page, item, 'success');
      assert.equal(atOrder?.state, 'admitted', 'the order went out from the admitted state');
      assert.match(atOrder?.left ?? '', /^00:0[0-5]$/, 'the time left on the admission was shown');
      assert.equal(orders.length, 1, 'one order');
      assert.equal(typeof orders[0]?.['admissionToken'], 'string', 'the order carried the admission token');
      await page.waitForSelector(roomPanel(item, 'idle'), { state: 'attached' });
      assert.ok(await page.locator(`[data-testid="room-${item}"]`).isHidden(), 'through the room: only the outcome shows');
      const orderNo = (await page.locator(`[data-testid="order-no-${item}"]`).innerText()).trim();
      await page.locator(`[data-testid="order-${orderNo}"]`).waitFor();
      await shot(page, 'bought');
      assert.deepEqual(problems, [], 'no page errors, no CSP violations');
    });
  });

  it('shows "Sold out — the room is closed" when the last unit goes while the shopper waits', async () => {
    const item = await seedSale(env.databaseUrl, { name: 'Signed vinyl', stock: 1 });
    await setRoom(item, { enabled: true, admitPerSecond: 1, preQueueSeconds: 0 });
    const [first, ...rest] = await crowd(12, 'vinyl');
    await inShop(await newShopper(), async (page, problems) => {
      await page.locator(`[data-testid="item-${item}"][data-room="open"]`).waitFor({ timeout: ROOM_TIMEOUT_MS });
      await joinRoom(item, first!);
      for (const token of rest) await joinRoom(item, token);
      await page.locator(`[data-testid="buy-${item}"]`).click();
      await page.waitForSelector(roomPanel(item, 'waiting'), { timeout: ROOM_TIMEOUT_MS });

      // The first in line buys the only unit.
      const ticket = await admitted(item, first!);
      const placed = await request<{ uuid: string }>(product.api.url, 'POST', '/api/seckill/orders', { token: first!, json: { seckillGoodId: item, admissionToken: ticket.admissionToken } });
      assert.equal(placed.status, 202, JSON.stringify(placed.body));
      await product.results.waitForAll([placed.body.uuid], ROOM_TIMEOUT_MS);
      assert.equal(product.results.results.get(placed.body.uuid)?.status, 'SUCCESS');

      const closed = await page.waitForSelector(roomPanel(item, 'closed', '[data-reason="SOLD_OUT"]'), { timeout: ROOM_TIMEOUT_MS });
      assert.match(await closed.innerText(), /Sold out — the room is closed/);
      await page.waitForSelector(`[data-testid="item-${item}"][data-status="sold_out"] [data-testid="buy-${item}"][disabled]`, { timeout: ROOM_TIMEOUT_MS });
      await shot(page, 'closed');
      assert.deepEqual(problems, []);
    });
  });

  it('polls the place while the room socket is down, and still gets the shopper through', async () => {
    const item = await seedSale(env.databaseUrl, { name: 'Camping stove', stock: 10 });
    await setRoom(item, { enabled: true, admitPerSecond: 1, preQueueSeconds: 0 });
    // Enough ahead that the place is still a wait at the first poll (3 s after joining).
    const others = await crowd(8, 'stove');
    let refused = 0;
    await inShop(
      await newShopper(),
      async (page, problems) => {
        await page.locator(`[data-testid="item-${item}"][data-room="open"]`).waitFor({ timeout: ROOM_TIMEOUT_MS });
        for (const token of others) await joinRoom(item, token);
        await page.locator(`[data-testid="buy-${item}"]`).click();
        await page.waitForSelector(roomPanel(item, 'waiting', '[data-via="poll"]'), { timeout: ROOM_TIMEOUT_MS });
        await outcome(page, item, 'success');
        assert.ok(refused >= 1, `the room socket was tried (${refused} refused)`);
        assert.deepEqual(problems, []);
      },
      // A notifier that turns away every room socket (as one at its limit would); order sockets pass.
      async (context) =>
        context.routeWebSocket(`ws://127.0.0.1:${product.notifier.port}/room/**`, (ws) => {
          refused += 1;
          void ws.close({ code: 1013, reason: 'try again later' });
        }),
    );
  });

  it('sends the shopper back into line when the admission ran out before the order went in, and buys on the next turn', async () => {
    const item = await seedSale(env.databaseUrl, { name: 'Espresso grinder', stock: 10 });
    await setRoom(item, { enabled: true, admitPerSecond: 1, preQueueSeconds: 0 });
    await inShop(await newShopper(), async (page, problems) => {
      await page.locator(`[data-testid="item-${item}"][data-room="open"]`).waitFor({ timeout: ROOM_TIMEOUT_MS });
      const orders = recordOrders(page);
      const answers: number[] = [];
      page.on('response', (r) => {
        if (r.request().method() === 'POST' && r.url().endsWith('/api/seckill/orders')) answers.push(r.status());
      });
      let joins = 0;
      page.on('request', (r) => {
        if (r.method() === 'POST' && r.url().endsWith(`/api/seckill/goods/${item}/room`)) joins += 1;
      });
      // The first order is held back until the page's own countdown says the turn is over: the server then
      // refuses its token for real (403 NOT_ADMITTED).
      let held = false;
      await page.route('**/api/seckill/orders', async (route) => {
        if (!held) {
          held = true;
          // 00:00 shows once the page's clock (this machine's, as Redis's is) has passed expiresAt.
          await page.waitForSelector(`[data-testid="room-expires-${item}"]:text-is("00:00")`, { timeout: ROOM_TIMEOUT_MS });
        }
        await route.continue();
      });
      await page.locator(`[data-testid="buy-${item}"]`).click();
      await outcome(page, item, 'success');
      assert.deepEqual(answers, [403, 202], 'refused once (NOT_ADMITTED), then accepted');
      assert.equal(joins, 2, 'joined again after the refusal');
      assert.equal(orders.length, 2);
      assert.notEqual(orders[0]?.['admissionToken'], orders[1]?.['admissionToken'], 'the second order carried the new admission');
      assert.deepEqual(problems, []);
    });
  });

  it('counts down to the waiting room before it opens; in the pre-queue the shopper joins and waits for the start', async () => {
    const hour = 3_600_000;
    const later = await seedSale(env.databaseUrl, { name: 'Concert tickets', stock: 50, startTime: new Date(Date.now() + hour), endTime: new Date(Date.now() + 2 * hour) });
    await setRoom(later, { enabled: true, admitPerSecond: 5, preQueueSeconds: 600 });
    const soon = await seedSale(env.databaseUrl, { name: 'Festival passes', stock: 50, startTime: new Date(Date.now() + 3 * 60_000), endTime: new Date(Date.now() + hour) });
    await setRoom(soon, { enabled: true, admitPerSecond: 5, preQueueSeconds: 3600 });
    await inShop(await newShopper(), async (page, problems) => {
      const card = `[data-testid="item-${later}"][data-status="upcoming"][data-room="later"]`;
      await page.waitForSelector(`${card} .timing-value:text-matches("^(49|50):[0-9]{2}$")`, { timeout: ROOM_TIMEOUT_MS });
      assert.match(await page.locator(`${card} .timing`).innerText(), /Waiting room opens in/);
      assert.ok(await page.locator(`[data-testid="buy-${later}"]`).isDisabled(), 'the room is not open yet');
      assert.match(await page.locator(`[data-testid="buy-${later}"]`).innerText(), /Waiting room not open yet/);

      await page.locator(`[data-testid="item-${soon}"][data-status="upcoming"][data-room="open"]`).waitFor({ timeout: ROOM_TIMEOUT_MS });
      await page.locator(`[data-testid="buy-${soon}"]`).click();
      await page.waitForSelector(roomPanel(soon, 'waiting', '[data-position="1"]'), { timeout: ROOM_TIMEOUT_MS });
      // Nobody is admitted before the start: the estimate includes the minutes until then.
      assert.match(await page.locator(`[data-testid="room-eta-${soon}"]`).innerText(), /^about [23] minutes$/);
      await shot(page, 'pre-queue');
      assert.deepEqual(problems, []);
    });
  });

  it('buys an item without a room directly, as before', async () => {
    const item = await seedSale(env.databaseUrl, { name: 'Travel mug', stock: 5 });
    await inShop(await newShopper(), async (page, problems) => {
      await page.locator(`[data-testid="item-${item}"][data-room="none"]`).waitFor();
      const orders = recordOrders(page);
      let roomCalls = 0;
      page.on('request', (r) => {
        if (/\/room(\/|\?|$)/.test(r.url())) roomCalls += 1;
      });
      const buy = page.locator(`[data-testid="buy-${item}"]`);
      assert.match(await buy.innerText(), /Buy now/);
      await buy.click();
      await outcome(page, item, 'success');
      assert.equal(orders.length, 1);
      assert.equal('admissionToken' in (orders[0] ?? {}), false, 'no admission token without a room');
      assert.equal(roomCalls, 0, 'no room was asked about');
      assert.ok(await page.locator(`[data-testid="room-${item}"]`).isHidden());
      assert.deepEqual(problems, []);
    });
  });
});

describe('the ops console with waiting rooms', () => {
  it('lists a room with its numbers, and its form changes the rate after confirmation', async () => {
    const hour = 3_600_000;
    // Before its start, in the pre-queue: shoppers wait and nobody is admitted, so the numbers hold still.
    const item = await seedSale(env.databaseUrl, { name: 'Game console', stock: 40, startTime: new Date(Date.now() + hour), endTime: new Date(Date.now() + 2 * hour) });
    await setRoom(item, { enabled: true, admitPerSecond: 2, preQueueSeconds: 7200 });
    for (const token of await crowd(3, 'console')) assert.equal((await joinRoom(item, token)).status, 'WAITING');

    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    try {
      const { page, problems } = await openPage(context, '/ops');
      await page.locator('#login-username').fill('admin');
      await page.locator('#login-password').fill('admin');
      await page.locator('[data-testid="login-submit"]').click();
      await page.locator('[data-testid="console"]').waitFor({ timeout: ROOM_TIMEOUT_MS });

      const card = page.locator(`[data-testid="room-${item}"][data-phase="PRE_QUEUE"]`);
      await card.waitFor({ timeout: ROOM_TIMEOUT_MS });
      const cell = (key: string) => page.locator(`[data-testid="room-${item}-${key}"]`);
      await page.waitForSelector(`[data-testid="room-${item}-waiting"]:text-is("3")`, { timeout: ROOM_TIMEOUT_MS });
      assert.equal(await cell('admitted').innerText(), '0');
      assert.equal(await cell('outstanding').innerText(), '0');
      assert.equal(await cell('rate').innerText(), '2/s');
      assert.equal(await cell('sold').innerText(), '0');
      assert.equal(await cell('prequeue').innerText(), '2 h');
      assert.match(await card.innerText(), /Game console/);
      assert.match(await card.innerText(), /Pre-queue/);

      const rate = page.locator(`[data-testid="room-rate-${item}"]`);
      const apply = page.locator(`[data-testid="room-apply-${item}"]`);
      assert.equal(await rate.inputValue(), '2');
      assert.ok(await apply.isDisabled(), 'nothing to apply before an edit');
      let puts = 0;
      page.on('request', (r) => {
        if (r.method() === 'PUT') puts += 1;
      });

      // Out of range: the browser's own check stops it, nothing is sent.
      await rate.fill('0');
      await apply.click();
      assert.equal(await page.evaluate(`document.querySelector('[data-testid="room-rate-${item}"]').validity.valid`), false);
      assert.equal(await page.locator('[data-testid="confirm-dialog"][open]').count(), 0);

      // Cancelled: nothing changes, and the edit survives the next polls.
      await rate.fill('50');
      await apply.click();
      const dialog = page.locator('[data-testid="confirm-dialog"][open]');
      await dialog.waitFor();
      assert.match(await dialog.innerText(), /Game console \(#\d+\): admit 50\/s instead of 2\/s/);
      await page.screenshot({ path: join(SCREENSHOTS, 'room-ops-confirm.png') });
      await page.locator('[data-testid="confirm-cancel"]').click();
      await dialog.waitFor({ state: 'detached' });
      assert.equal(puts, 0, 'cancelled: nothing sent');
      await page.waitForResponse((r) => r.url().endsWith('/api/admin/ops/overview'), { timeout: ROOM_TIMEOUT_MS });
      await page.waitForResponse((r) => r.url().endsWith('/api/admin/ops/overview'), { timeout: ROOM_TIMEOUT_MS });
      assert.equal(await rate.inputValue(), '50', 'the edit is kept through the polls');

      await apply.click();
      await dialog.waitFor();
      await page.locator('[data-testid="confirm-ok"]').click();
      const result = page.locator(`[data-testid="room-result-${item}"][data-state="ok"]`);
      await result.waitFor({ timeout: ROOM_TIMEOUT_MS });
      assert.match(await result.innerText(), /Admitting 50\/s/);
      assert.equal(puts, 1);
      await page.waitForSelector(`[data-testid="room-${item}-rate"]:text-is("50/s")`, { timeout: ROOM_TIMEOUT_MS });

      const settings = await request<WaitingRoom>(product.api.url, 'GET', `/api/admin/seckill/goods/${item}/waiting-room`, { token: adminToken });
      assert.equal(settings.status, 200);
      assert.deepEqual(
        { enabled: settings.body.enabled, admitPerSecond: settings.body.admitPerSecond, preQueueSeconds: settings.body.preQueueSeconds, waiting: settings.body.waiting },
        { enabled: true, admitPerSecond: 50, preQueueSeconds: 7200, waiting: 3 },
      );
      await page.locator(`[data-testid="room-${item}"]`).scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(SCREENSHOTS, 'room-ops.png') });
      assert.deepEqual(problems, [], 'no page errors, no CSP violations');
    } finally {
      await context.close();
    }
  });
});
