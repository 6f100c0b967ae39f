import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { freePort, ProtectedServers, request, startProduct, type AppName, type AppProcess, type Product } from '@seckill/testing';

/**
 * The product as production runs it (NODE_ENV=production, so every weak setting is refused): on servers that
 * demand passwords (a PostgreSQL role, a RabbitMQ user and a requirepass Redis of this suite's own), with a
 * 32-byte secret and a long admin password. No switch in the product makes this possible; the settings are
 * simply strong.
 */
const APPS: readonly AppName[] = ['order-api', 'order-worker', 'websocket-notifier'];
const ADMIN = { username: 'prod-admin', password: 'a-long-admin-password-for-tests' };

let protectedServers: ProtectedServers;
let product: Product;
const metricsPorts = {} as Record<AppName, number>;

function privateUrl(app: AppName): string {
  return `http://127.0.0.1:${metricsPorts[app]}`;
}

function instance(app: AppName): AppProcess {
  return product.instances(app)[0]!;
}

before(async () => {
  protectedServers = await ProtectedServers.start('production');
  for (const app of APPS) metricsPorts[app] = await freePort();
  product = await startProduct('production', {
    servers: protectedServers.servers,
    vars: {
      NODE_ENV: 'production',
      // Test environments lift the limits for their crowds of shoppers; production refuses that.
      RATE_LIMITS: 'on',
      JWT_SECRET: 'production-test-secret-of-at-least-32-bytes',
      ADMIN_USERNAME: ADMIN.username,
      ADMIN_PASSWORD: ADMIN.password,
    },
    overrides: Object.fromEntries(APPS.map((app) => [app, { METRICS_PORT: String(metricsPorts[app]) }])),
  });
});

after(async () => {
  await product?.stop();
  await protectedServers?.cleanup();
});

describe('production settings', () => {
  it('serves /metrics and /docs only on METRICS_PORT; the public ports answer them like any unknown route', async () => {
    for (const app of APPS) {
      const unknown = await request<Record<string, unknown>>(instance(app).url, 'GET', '/no-such-route');
      assert.equal(unknown.status, 404);
      for (const path of ['/metrics', '/docs', '/docs-json', '/docs/swagger-ui-init.js', '/m%65trics', '/metrics?x=1']) {
        const res = await request<Record<string, unknown>>(instance(app).url, 'GET', path);
        assert.equal(res.status, 404, `${app} ${path} on the public port`);
        // The ordinary 404 body (some apps name the path in its message).
        const expected = JSON.parse(JSON.stringify(unknown.body).replace('/no-such-route', path)) as unknown;
        assert.deepEqual(res.body, expected, `${app} ${path}: the ordinary 404 body`);
      }
      const metrics = await fetch(`${privateUrl(app)}/metrics`);
      assert.equal(metrics.status, 200, app);
      assert.match(await metrics.text(), /^process_cpu_user_seconds_total/m, app);
      // The private port serves nothing else: not the API, not health.
      assert.equal((await fetch(`${privateUrl(app)}/health`)).status, 404, app);
    }
    const docs = await fetch(`${privateUrl('order-api')}/docs`);
    assert.equal(docs.status, 200);
    assert.match(await docs.text(), /swagger-ui/);
    const openapi = (await (await fetch(`${privateUrl('order-api')}/docs-json`)).json()) as { openapi: string; paths: object };
    assert.match(openapi.openapi, /^3\./);
    assert.ok('/api/seckill/goods' in openapi.paths);
    assert.equal((await fetch(`${privateUrl('order-api')}/api/seckill/goods`)).status, 404);
  });

  it('binds the private port to 127.0.0.1 by default (METRICS_HOST)', async () => {
    const log = product.logOf(instance('order-api'));
    assert.match(log, new RegExp(`metrics and docs on http://127\\.0\\.0\\.1:${metricsPorts['order-api']} only`));
  });

  it('puts security headers on every order-api response: JSON, errors and pages', async () => {
    for (const path of ['/api/seckill/goods', '/no-such-route', '/', '/shop/shop.js']) {
      const res = await fetch(`${instance('order-api').url}${path}`);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
      assert.match(res.headers.get('strict-transport-security') ?? '', /max-age=\d+/, path);
      assert.equal(res.headers.get('x-frame-options'), 'SAMEORIGIN', path);
      assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'self'/, path);
      assert.equal(res.headers.get('x-powered-by'), null, path);
    }
  });

  it('logs the admin in with the configured password only', async () => {
    const ok = await request<{ accessToken: string }>(instance('order-api').url, 'POST', '/api/auth/login', { json: ADMIN });
    assert.equal(ok.status, 200);
    const dev = await request(instance('order-api').url, 'POST', '/api/auth/login', { json: { username: ADMIN.username, password: 'admin' } });
    assert.equal(dev.status, 401);
  });

  it('names what is down on /health/ready without the raw error, which goes to the log', async () => {
    await protectedServers.redis.stop();
    try {
      let ready = await request<{ status: string; error: Record<string, Record<string, unknown>> }>(instance('order-api').url, 'GET', '/health/ready');
      // The probe runs on every call: the first call after the stop already sees it.
      assert.equal(ready.status, 503, JSON.stringify(ready.body));
      assert.deepEqual(ready.body.error.redis, { status: 'down' });
      for (const entry of Object.values(ready.body.error)) assert.equal('message' in entry, false, JSON.stringify(ready.body));
      ready = await request(instance('order-api').url, 'GET', '/health/ready');
      assert.equal(JSON.stringify(ready.body).includes(String(protectedServers.redis.port)), false);
      assert.match(product.logOf(instance('order-api')), /"dependency":"redis","error":"[^"]+".*"msg":"dependency down"/);
    } finally {
      await protectedServers.redis.start();
    }
  });
});

describe('development settings', () => {
  let dev: Product;
  let browser: Browser;

  before(async () => {
    dev = await startProduct('development-docs', { instances: { 'order-worker': 0, 'websocket-notifier': 0 }, collector: false });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  });

  after(async () => {
    await browser?.close();
    await dev?.stop();
  });

  it('keeps /metrics and the Swagger UI on the app port, and the UI renders under the security headers', async () => {
    assert.equal((await fetch(`${dev.api.url}/metrics`)).status, 200);
    const page = await browser.newPage();
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
    });
    const res = await page.goto(`${dev.api.url}/docs`);
    assert.match(res?.headers()['content-security-policy'] ?? '', /default-src 'self'/);
    await page.locator('.swagger-ui .info .title').waitFor({ timeout: 15_000 });
    await page.locator('.opblock-summary-path', { hasText: '/api/seckill/goods' }).first().waitFor({ timeout: 15_000 });
    assert.deepEqual(violations, []);
  });
});
