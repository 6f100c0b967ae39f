import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { Client } from 'pg';
import { StockKeys } from '@seckill/stock';
import { clientProcessesFor } from '../loadtest/cli-options';
import { ClientFleet } from '../loadtest/clients';
import { agentInits, arrivalOffsets, createSale, dealShoppers, prepareShoppers } from '../loadtest/prepare';
import { renderProgress } from '../loadtest/progress';
import { now, type RequestRecord } from '../loadtest/protocol';
import { openFileLimit } from '../loadtest/run';
import type { SystemUnderTest } from '../loadtest/system';
import { verifySale, type Check } from '../loadtest/verify';
import { computeScenarioFigures, judge, type DbState, type ScenarioFigures } from './figures';
import type { Lab } from './lab';
import type { LabOptions } from './cli-options';
import type { FaultContext, FaultWindow, Scenario } from './scenario';

export interface ScenarioResult {
  name: string;
  title: string;
  fault: string;
  startedAt: string;
  durationMs: number;
  ok: boolean;
  itemId?: number;
  /** The fault's moments, in seconds from the first order of the sale. */
  timeline: { atSeconds: number; what: string }[];
  faultSeconds?: number;
  figures?: ScenarioFigures;
  checks: Check[];
  observations: Check[];
  /** What the lab did around the scenario that a reader of the results should know (apps restarted before it…). */
  notes: string[];
}

export interface ScenarioIo {
  log(line: string): void;
  signal: AbortSignal;
}

/** The fault comes once this share of the stock is accepted: mid-sale, with most units still to sell. */
export const TRIGGER_SHARE = 0.2;
/** How long Redis may take to equal PostgreSQL once the sale is quiet (reconciliation runs every 5 s in the lab). */
const SETTLE_MS = 30_000;

/** The load tool's view of the lab: its order-api and notifier hosts, its database and secrets. */
export function labSystem(lab: Lab): SystemUnderTest {
  const s = lab.settings;
  return {
    mode: 'target',
    describe: `lab: ${lab.appsOf('order-api').length} order-api, ${lab.appsOf('order-worker').length} order-worker, ${lab.appsOf('websocket-notifier').length} websocket-notifier hosts`,
    apis: lab.appsOf('order-api').map((a) => a.httpUrl),
    notifiers: lab.appsOf('websocket-notifier').map((a) => a.wsUrl),
    databaseUrl: s.databaseUrl,
    redisUrl: s.redisUrl,
    redisClusterNodes: s.redisClusterNodes,
    redisKeyPrefix: s.redisKeyPrefix,
    jwtSecret: s.jwtSecret,
    admin: s.admin,
    stop: async () => undefined,
  };
}

async function readDb(databaseUrl: string, itemId: number): Promise<DbState> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const [good] = (await db.query<{ stock_total: number; stock_left: number }>('SELECT stock_total, stock_left FROM seckill_goods WHERE id = $1', [itemId])).rows;
    const orders = (await db.query<{ uuid: string; user_id: string; order_no: string }>('SELECT uuid, user_id, order_no FROM orders WHERE seckill_good_id = $1', [itemId])).rows;
    const decided = (await db.query<{ uuid: string; status: string }>(`SELECT uuid, status FROM order_requests WHERE seckill_good_id = $1 AND status IN ('SUCCESS', 'FAIL')`, [itemId])).rows;
    return {
      stockTotal: good?.stock_total ?? NaN,
      stockLeft: good?.stock_left ?? NaN,
      orders: orders.map((o) => ({ uuid: o.uuid, userId: Number(o.user_id), orderNo: o.order_no })),
      decided: new Map(decided.map((d) => [d.uuid, d.status])),
    };
  } finally {
    await db.end();
  }
}

/**
 * One scenario: a fresh sale item and fresh shoppers, the load tool's client processes opening every socket
 * and connection, the orders spread over `--ramp-seconds`; once a fifth of the stock is accepted the fault is
 * injected, and while it runs and after, every shopper keeps going. Then the load tool's verification, the
 * lab's figures and checks. The lab itself stays up for the next scenario.
 */
export async function runScenario(sc: Scenario, lab: Lab, o: LabOptions, io: ScenarioIo, notes: string[] = []): Promise<ScenarioResult> {
  const t0 = Date.now();
  const log = (line: string) => io.log(`${sc.name}: ${line}`);
  const fault: FaultWindow = { marks: [] };
  const runId = `${sc.name}-${randomBytes(3).toString('hex')}`;
  const deadline = t0 + o.timeoutSeconds * 1000;
  let fleet: ClientFleet | undefined;
  let itemId: number | undefined;
  let saleStartedAt = 0;
  const extra: Check[] = [];
  const result = (checks: Check[], observations: Check[] = [], figures?: ScenarioFigures): ScenarioResult => ({
    name: sc.name,
    title: sc.title,
    fault: sc.fault,
    startedAt: new Date(t0).toISOString(),
    durationMs: Date.now() - t0,
    ok: checks.length > 0 && checks.every((c) => c.ok),
    ...(itemId !== undefined ? { itemId } : {}),
    timeline: fault.marks.map((m) => ({ atSeconds: Math.round((m.at - saleStartedAt) / 100) / 10, what: m.what })),
    ...(fault.startedAt !== undefined && fault.endedAt !== undefined ? { faultSeconds: Math.round((fault.endedAt - fault.startedAt) / 100) / 10 } : {}),
    ...(figures ? { figures } : {}),
    checks,
    observations,
    notes,
  });

  try {
    const sys = labSystem(lab);
    const sale = await createSale(sys, o.stock, runId, o.timeoutSeconds);
    itemId = sale.id;
    const stockKey = new StockKeys(lab.settings.redisKeyPrefix).stock(itemId);
    const shoppers = await prepareShoppers(sys, o.shoppers, runId, o.timeoutSeconds + 600);
    const clients = clientProcessesFor({ shoppers: o.shoppers, httpConnections: 0, clientProcesses: 0 }, openFileLimit());
    const shares = dealShoppers(shoppers, { clients, apis: sys.apis, notifiers: sys.notifiers, offsets: arrivalOffsets(o.shoppers, 'ramp', o.rampSeconds) });
    log(`sale #${itemId}: ${o.stock} units, ${o.shoppers} shoppers over ${o.rampSeconds} s through ${sys.apis.length} order-api and ${sys.notifiers.length} notifier hosts; opening sockets…`);
    fleet = ClientFleet.start(agentInits(shares, { httpConnections: 0, openConcurrency: 256, pollIntervalMs: 500, retries: o.retries }, itemId, deadline));
    const f = fleet;
    // Ctrl-C: the clients report what they have at once (the scenario is then given up, not judged).
    io.signal.addEventListener('abort', () => f.stop(), { once: true });
    if (!(await f.ready(deadline))) throw new Error('the shoppers\' sockets and connections did not open before the deadline');
    const tokens = new Map(shoppers.map((s) => [s.userId, s.token]));

    saleStartedAt = Date.now() + 300;
    f.fire(saleStartedAt);
    const ticker = setInterval(() => log(renderProgress({ phase: 'fire', shoppers: o.shoppers, counts: f.total, elapsedMs: Date.now() - saleStartedAt }, 12)), 5_000);
    let records: RequestRecord[];
    try {
      const trigger = Math.max(1, Math.round(o.stock * TRIGGER_SHARE));
      while (f.total.accepted < trigger) {
        if (io.signal.aborted) throw new Error('interrupted');
        if (Date.now() > saleStartedAt + o.rampSeconds * 1000) throw new Error(`the sale never reached ${trigger} accepted orders (${f.total.accepted} by the end of the arrivals)`);
        await delay(20);
      }
      const at = (what: string) => {
        const t = now();
        fault.marks.push({ at: t, what });
        log(`+${((t - saleStartedAt) / 1000).toFixed(1)} s ${what}`);
        return t;
      };
      const ctx: FaultContext = {
        lab,
        itemId,
        stockKey,
        signal: io.signal,
        holdMs: o.holdSeconds * 1000,
        begin: (what) => void (fault.startedAt ??= at(what)),
        mark: (what) => void at(what),
        note: (text) => {
          notes.push(text);
          log(`note: ${text}`);
        },
        end: (what) => void (fault.endedAt = at(what)),
        hold: (ms) => delay(ms, undefined, { signal: io.signal }),
        log,
      };
      log(`${f.total.accepted} of ${o.stock} units accepted: the fault comes now`);
      const results = f.results(deadline);
      await sc.inject(ctx).catch((err: unknown) => {
        extra.push({ name: 'the fault ran and the lab came back whole', ok: false, detail: err instanceof Error ? err.message : String(err) });
      });
      fault.endedAt ??= now();
      if (!extra.length) extra.push({ name: 'the fault ran and the lab came back whole', ok: true, detail: `over after ${((fault.endedAt - (fault.startedAt ?? fault.endedAt)) / 1000).toFixed(1)} s` });
      log('waiting for every shopper\'s outcome…');
      const res = await results;
      if (io.signal.aborted) throw new Error('interrupted');
      records = res.records;
      if (!res.complete) extra.push({ name: 'every shopper finished before the deadline', ok: false, detail: `${res.lost.length} client processes lost; stopped at --timeout-seconds ${o.timeoutSeconds}` });
    } finally {
      clearInterval(ticker);
    }
    f.kill();

    log('verifying through the API, Redis and PostgreSQL…');
    const loadtestChecks = await verifySale(sys, { itemId, stock: o.stock, records, tokenOf: (id) => tokens.get(id)!, settleMs: SETTLE_MS });
    const db = await readDb(sys.databaseUrl, itemId);
    const figures = computeScenarioFigures(records, db, fault.startedAt);
    const deaths = lab.deaths();
    extra.push({ name: 'no app died on its own', ok: deaths.length === 0, detail: deaths.length ? deaths.join(', ') : 'none' });
    const { checks, observations } = judge(figures, db, loadtestChecks, extra);
    return result(checks, observations, figures);
  } catch (err) {
    const message = io.signal.aborted ? 'interrupted' : err instanceof Error ? err.message : String(err);
    log(`did not run to its end: ${message}`);
    return result([{ name: 'the scenario ran to its end', ok: false, detail: message }, ...extra]);
  } finally {
    fleet?.kill();
  }
}
