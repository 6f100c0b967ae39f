import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { startProduct, TEST_JWT_SECRET, type Product } from '@seckill/testing';
import { DEV_JWT_SECRET } from '@seckill/config';
import type { FuzzCase } from './cases';
import { plan, runItem, type Finding, type PlanItem, type RouteStats } from './engine';
import { makeFixtures } from './fixtures';
import { Sender } from './http';
import { routesOf, selectRoutes, type OpenApiDocument } from './openapi';
import type { FuzzOptions } from './options';
import type { FuzzSummary } from './report';
import { diffSnapshots, takeSnapshot, unexplainedGrowth, type StateLocation, type StateSnapshot } from './snapshot';

const BODY_LIMIT = 16 * 1024;

/** The product under test: a private one (stopped afterwards) or the --target one. */
async function productFor(o: FuzzOptions, log: (s: string) => void): Promise<{ baseUrl: string; state?: StateLocation; secret: string; admin: { username: string; password: string }; stop(): Promise<void> }> {
  if (o.target) {
    return {
      baseUrl: o.target,
      ...(o.databaseUrl ? { state: { databaseUrl: o.databaseUrl, redisUrl: o.redisUrl, redisKeyPrefix: o.redisKeyPrefix } } : {}),
      secret: o.jwtSecret ?? DEV_JWT_SECRET,
      admin: { username: o.adminUsername, password: o.adminPassword },
      stop: async () => undefined,
    };
  }
  const admin = { username: 'fuzz-admin', password: `fuzz-${randomBytes(12).toString('hex')}` };
  log('starting an isolated product (order-api, order-worker, websocket-notifier; RATE_LIMITS=off)…');
  const product: Product = await startProduct('fuzz', {
    collector: false,
    vars: {
      RATE_LIMITS: 'off',
      // The per-user order limit of today's order-api predates RATE_LIMITS: lift it too, so valid orders get deep.
      ORDER_RATE_LIMIT_PER_SECOND: '1000000',
      // The periodic reconcile may correct stock between the snapshots; only requests may change state here.
      RECONCILE_INTERVAL_MS: '3600000',
      ADMIN_USERNAME: admin.username,
      ADMIN_PASSWORD: admin.password,
      HTTP_BODY_LIMIT_BYTES: String(BODY_LIMIT),
      LOG_LEVEL: 'warn',
    },
  });
  return {
    baseUrl: product.api.url,
    state: { databaseUrl: product.env.databaseUrl, redisUrl: product.env.redisUrl, redisKeyPrefix: product.env.redisKeyPrefix },
    secret: TEST_JWT_SECRET,
    admin,
    stop: () => product.stop(),
  };
}

/** A snapshot once two in a row agree: whatever the fixtures set in motion (outcome pushes, claims) has landed. */
async function settledSnapshot(at: StateLocation, timeoutMs = 15_000): Promise<StateSnapshot> {
  let last = await takeSnapshot(at);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    await delay(250);
    const next = await takeSnapshot(at);
    if (diffSnapshots(last, next).length === 0) return next;
    last = next;
  }
  throw new Error(`the product's state did not settle within ${timeoutMs} ms before fuzzing`);
}

const STATEFUL = { registered: 'POST /api/auth/register', created: 'POST /api/admin/seckill/goods', ordered: 'POST /api/seckill/orders' } as const;

export async function runFuzz(o: FuzzOptions, log: (s: string) => void): Promise<FuzzSummary> {
  const started = Date.now();
  const product = await productFor(o, log);
  const sender = new Sender(product.baseUrl);
  try {
    const docRes = await fetch(`${product.baseUrl}/docs-json`);
    if (!docRes.ok) throw new Error(`GET /docs-json answered ${docRes.status}`);
    const routes = selectRoutes(routesOf((await docRes.json()) as OpenApiDocument), o.route);
    if (routes.length === 0) throw new Error(`no route matches --route ${o.route}`);
    log(`${routes.length} routes from /docs-json; making fixtures (admin, two shoppers, a live sale item, an order each)…`);
    const fixtures = await makeFixtures({ baseUrl: product.baseUrl, jwtSecret: product.secret, admin: product.admin, bodyLimit: BODY_LIMIT });
    const stats = new Map<string, RouteStats>(routes.map((r) => [r.id, { route: r.id, sent: 0, byStatus: {}, findings: 0 }]));
    // Counted in the lenient phase only: what it may explain. (An acceptance in the refused phase is a finding.)
    const accepted = { registered: 0, created: 0, ordered: 0 };
    let phase: 'refused' | 'lenient' = 'refused';
    const onAccepted = (c: FuzzCase, status: number) => {
      if (phase !== 'lenient') return;
      if (c.route === STATEFUL.registered && status === 201) accepted.registered += 1;
      if (c.route === STATEFUL.created && status === 201) accepted.created += 1;
      if (c.route === STATEFUL.ordered && status === 202) accepted.ordered += 1;
    };
    const findings: Finding[] = [];
    const known = new Map<string, Finding>();
    const runPhase = async (items: PlanItem[], name: string) => {
      for (const item of items) {
        const found = await runItem(item, fixtures.targets, o.seed, (c) => sender.send(c), stats.get(item.route.id)!, onAccepted, known);
        findings.push(...found);
        for (const f of found) log(`  FINDING ${f.kind} on ${f.route} (${f.family}): ${f.detail.slice(0, 160)}`);
      }
      log(`${name} phase done: ${[...stats.values()].reduce((n, s) => n + s.sent, 0)} requests so far`);
    };
    const { refused, lenient } = plan(routes, o.runs);
    const before = product.state ? await settledSnapshot(product.state) : undefined;
    log(`fuzzing: ${o.runs} requests, seed ${o.seed}; requests that must be refused first…`);
    await runPhase(refused, 'refused');
    const afterRefused = product.state ? await takeSnapshot(product.state) : undefined;
    phase = 'lenient';
    await runPhase(lenient, 'lenient');
    const afterLenient = product.state ? await takeSnapshot(product.state) : undefined;
    const routeStats = [...stats.values()];
    const fiveXx = routeStats.reduce((n, r) => n + Object.entries(r.byStatus).reduce((m, [k, v]) => (Number(k) >= 500 ? m + v : m), 0), 0);
    const refusedPhase = before && afterRefused ? diffSnapshots(before, afterRefused) : [];
    const lenientPhase = afterRefused && afterLenient ? unexplainedGrowth(afterRefused, afterLenient, accepted) : [];
    return {
      ok: findings.length === 0 && refusedPhase.length === 0 && lenientPhase.length === 0,
      seed: o.seed,
      runs: o.runs,
      target: o.target ?? 'an isolated product',
      requests: routeStats.reduce((n, r) => n + r.sent, 0),
      fiveXx,
      routes: routeStats,
      findings,
      state: { checked: product.state !== undefined, refusedPhase, lenientPhase, accepted },
      durationSeconds: (Date.now() - started) / 1000,
    };
  } finally {
    sender.close();
    await product.stop();
  }
}
