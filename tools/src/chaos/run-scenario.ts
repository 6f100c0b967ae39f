import { setTimeout as delay } from 'node:timers/promises';
import { createTestEnv, mintToken, seedSale, seedShoppers, sql, type TestEnv } from '@seckill/testing';
import { now } from '../loadtest/protocol';
import { evaluate, stillSettling, type Check, type FaultWindow, type Figures } from './checks';
import { EndStateReader, type EndState } from './end-state';
import { PageTraffic } from './page-traffic';
import { timeToReady, waitAllReady, type Readiness } from './readiness';
import { describeTrigger, triggerHolds, type FaultContext, type Scenario } from './scenario';
import type { PrivateServers } from './servers/private-servers';
import { Fleet } from './shoppers/fleet';
import { ScenarioSystem, type SystemSpec } from './system';

/** The sale every scenario runs: sized so that one scenario stays well under two minutes on two cores. */
export const SALE = {
  stock: 300,
  shoppers: 3_000,
  /** 30 waves of 100 simultaneous clicks, one every 200 ms: six seconds of arrivals, 100 requests at once. */
  waves: { size: 100, everyMs: 200 },
  connectionsPerApi: 128,
} as const;

export const TIMING = {
  /** The trigger must come within this long of the sale's start. */
  triggerMs: 60_000,
  /** Shoppers keep asking again this long after the fault ended. */
  retryMarginMs: 30_000,
  /** The generous deadline after the fault ended for every outcome and for the stores to settle. */
  settleMs: 60_000,
} as const;

/**
 * Every app: Redis re-checked against PostgreSQL every 5 s (so "Redis = PostgreSQL once quiet" can hold within
 * the deadline without the admin endpoint), and small worker batches, so that a fault lands between batches
 * rather than after the last one.
 */
const BASE_SYSTEM: SystemSpec = {
  apis: 2,
  workers: 1,
  notifiers: 2,
  proxyPostgres: false,
  proxyWorkerBroker: false,
  proxyFirstApiBroker: false,
  env: { RECONCILE_INTERVAL_MS: '5000', LOG_LEVEL: process.env.CHAOS_APP_LOG_LEVEL ?? 'info' },
  workerEnv: { WORKER_BATCH_SIZE: '20', WORKER_BATCHES_IN_FLIGHT: '2', WORKER_PREFETCH: '40' },
};

export interface ScenarioResult {
  name: string;
  title: string;
  fault: string;
  startedAt: string;
  durationMs: number;
  ok: boolean;
  /** The fault's moments, in seconds from the start of the sale. */
  faults: { atSeconds: number; what: string }[];
  faultSeconds?: number;
  figures?: Figures;
  checks: Check[];
  logs: string;
}

export interface RunIo {
  log(line: string): void;
  signal: AbortSignal;
}

/**
 * One scenario from start to end: an isolated environment on the private servers, its processes, a sale with
 * the fault injected on the trigger, the wait for everything to settle, the checks. Whatever it started is
 * stopped, and every server is up again, whether it passed, failed or threw.
 */
export async function runScenario(sc: Scenario, servers: PrivateServers, io: RunIo): Promise<ScenarioResult> {
  const t0 = Date.now();
  const log = (line: string) => io.log(`${sc.name}: ${line}`);
  const spec: SystemSpec = { ...BASE_SYSTEM, ...sc.system, env: { ...BASE_SYSTEM.env, ...sc.system?.env }, workerEnv: { ...BASE_SYSTEM.workerEnv, ...sc.system?.workerEnv } };
  const fault: FaultWindow = { marks: [] };
  const stock = sc.stock ?? SALE.stock;
  let env: TestEnv | undefined;
  let system: ScenarioSystem | undefined;
  let fleet: Fleet | undefined;
  let page: PageTraffic | undefined;
  let reader: EndStateReader | undefined;
  let saleStartedAt = 0;
  let readiness: Readiness | undefined;
  const result = (checks: Check[], figures?: Figures): ScenarioResult => ({
    name: sc.name,
    title: sc.title,
    fault: sc.fault,
    startedAt: new Date(t0).toISOString(),
    durationMs: Date.now() - t0,
    ok: checks.length > 0 && checks.every((c) => c.ok),
    faults: fault.marks.map((m) => ({ atSeconds: Math.round((m.at - saleStartedAt) / 100) / 10, what: m.what })),
    ...(fault.startedAt !== undefined && fault.endedAt !== undefined ? { faultSeconds: Math.round((fault.endedAt - fault.startedAt) / 100) / 10 } : {}),
    ...(figures ? { figures } : {}),
    checks,
    logs: system?.logs ?? 'artifacts/logs/',
  });
  const accepted = () => (fleet?.records() ?? []).filter((r) => r.end === 'accepted').map((r) => ({ uuid: r.uuid ?? r.requestId, userId: r.userId }));
  const judge = (end: EndState, extra: readonly Check[]) =>
    evaluate({
      stock,
      shoppers: SALE.shoppers,
      saleStartedAt,
      records: fleet!.records(),
      page: page!.answers,
      fault,
      ...(readiness ? { readiness } : {}),
      end,
      unexpectedExits: system!.unexpectedExits(),
      extra,
    });

  try {
    log('preparing (servers up, environment, sale, shoppers)');
    await servers.ensureUp();
    env = await createTestEnv(`chaos-${sc.name}`, servers.urls);
    const itemId = await seedSale(env.databaseUrl, { name: `chaos ${sc.name}`, stock });
    const users = await seedShoppers(env.databaseUrl, SALE.shoppers, `chaos-${env.id}`);
    const tokens = new Map(users.map((u) => [u.id, mintToken(env!.vars.JWT_SECRET!, u)]));
    log(`starting ${spec.apis} order-api, ${spec.workers} order-worker, ${spec.notifiers} websocket-notifier`);
    system = await ScenarioSystem.start(spec, env, servers, `chaos-${sc.name}-${env.id}`);
    await waitAllReady(system.processes, 30_000);
    const sys = system;

    fleet = new Fleet({
      itemId,
      shoppers: users.map((u) => ({ userId: u.id, token: tokens.get(u.id)! })),
      apis: sys.apiUrls,
      notifiers: sys.notifierUrls,
      waves: SALE.waves,
      connectionsPerApi: SALE.connectionsPerApi,
      retryDeadline: () => (fault.endedAt === undefined ? Infinity : fault.endedAt + TIMING.retryMarginMs),
    });
    const shoppers = fleet;
    page = new PageTraffic(sys.apiUrls, itemId, () => {
      const holders = shoppers.shoppers.filter((s) => s.record.end === 'accepted');
      const s = holders[Math.floor(Math.random() * holders.length)];
      return s ? { token: tokens.get(s.record.userId)!, uuid: s.record.uuid ?? s.record.requestId } : undefined;
    });
    reader = new EndStateReader(env, itemId, () => sys.apiUrls, (id) => tokens.get(id)!);

    saleStartedAt = now();
    fleet.start();
    page.start();
    log(`sale: ${stock} units, ${SALE.shoppers} shoppers in waves of ${SALE.waves.size} every ${SALE.waves.everyMs} ms; the fault comes with ${describeTrigger(sc.trigger)}`);
    await fleet.waitFor((c) => triggerHolds(sc.trigger, c), TIMING.triggerMs, describeTrigger(sc.trigger), io.signal);

    fault.startedAt = now();
    const progress = () => ({ at: now(), ...fleet!.countNow() });
    const ctx: FaultContext = {
      servers,
      system: sys,
      fleet,
      signal: io.signal,
      mark: (what) => {
        const at = now();
        fault.marks.push({ at, what });
        log(`+${((at - saleStartedAt) / 1000).toFixed(1)} s ${what}`);
      },
      effective: (what) => {
        fault.effect = progress();
        ctx.mark(what);
      },
      hold: (ms) => delay(ms, undefined, { signal: io.signal }),
      decided: async () =>
        new Set((await sql<{ uuid: string }>(env!.databaseUrl, `SELECT uuid FROM order_requests WHERE seckill_good_id = $1`, [itemId])).map((r) => r.uuid)),
      log,
    };
    // Unless the scenario says when, the fault takes effect the moment it begins.
    if (!sc.delayedEffect) fault.effect = progress();
    const extraChecks = await sc.inject(ctx);
    fault.endedAt = now();

    const settleFrom = Date.now();
    const deadline = settleFrom + TIMING.settleMs;
    log(`fault over after ${((fault.endedAt - fault.startedAt) / 1000).toFixed(1)} s; waiting up to ${TIMING.settleMs / 1000} s for outcomes, readiness and the stores to settle`);
    const ready = timeToReady(() => sys.processes, settleFrom, deadline, io.signal).then((r) => (readiness = r));
    let end = await reader.read(accepted());
    for (;;) {
      const pending = stillSettling({ records: fleet.records(), end, shoppers: SALE.shoppers, ...(readiness ? { readiness } : {}) });
      if (pending.length === 0) break;
      if (Date.now() >= deadline || io.signal.aborted) {
        log(`deadline passed with ${pending.join(', ')}`);
        break;
      }
      await delay(500);
      end = await reader.read(accepted());
    }
    await ready;
    fleet.stop();
    await page.stop();
    end = await reader.read(accepted());
    if (io.signal.aborted) throw new Error('interrupted');
    const { figures, checks } = judge(end, extraChecks ? extraChecks() : []);
    log(`settled ${((Date.now() - settleFrom) / 1000).toFixed(1)} s after the fault; ${checks.filter((c) => !c.ok).length} of ${checks.length} checks failed`);
    return result(checks, figures);
  } catch (err) {
    const message = io.signal.aborted ? 'interrupted (Ctrl-C)' : err instanceof Error ? err.message : String(err);
    log(`did not run to its end: ${message}`);
    const failed: Check = { name: 'the scenario ran to its end', ok: false, detail: message };
    // What there is still counts: the records and stores tell what the fault did before the run broke off.
    if (fleet && page && reader && system && !io.signal.aborted) {
      fleet.stop();
      await page.stop();
      const end = await reader.read(accepted()).catch(() => undefined);
      if (end) {
        const { figures, checks } = judge(end, []);
        return result([failed, ...checks], figures);
      }
    }
    return result([failed]);
  } finally {
    fleet?.stop();
    await page?.stop();
    reader?.close();
    log('restoring the servers and stopping its processes');
    // Servers first: a process stops cleanly only when what it talks to answers.
    await servers.ensureUp().catch((err: unknown) => log(`could not restore the private servers: ${String(err)}`));
    await system?.stop();
    await env?.cleanup().catch((err: unknown) => log(`cleaning up ${env!.id} failed: ${String(err)}`));
  }
}
