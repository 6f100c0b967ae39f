import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ARTIFACTS } from '@seckill/testing';
import { capacityProblems, clientProcessesFor, UsageError, type LoadtestOptions } from './cli-options';
import { ClientFleet } from './clients';
import { renderHtmlReport } from './html-report';
import { agentInits, arrivalOffsets, createSale, dealShoppers, prepareShoppers, type PreparedShopper } from './prepare';
import { now, type RequestRecord } from './protocol';
import { ProgressLine, renderProgress } from './progress';
import { computeFigures, formatSummary, type Figures, type PreparationInfo } from './summary';
import { startSelfHosted, targetSystem, type SystemUnderTest } from './system';
import { verifySale, type Check } from './verify';

export interface RunResult {
  figures: Figures;
  reportPath: string;
  jsonPath: string;
}

export interface RunIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  command: string;
  /** Ctrl-C: stop where the run is, report what there is, clean up. */
  signal?: AbortSignal;
}

class Timeout extends Error {}

/** The soft open-file limit of this process (what each forked client inherits). */
export function openFileLimit(): number {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = Number(line?.split(/\s{2,}/)[1]);
    return Number.isFinite(soft) && soft > 0 ? soft : 1024;
  } catch {
    return 1024;
  }
}

function defaultReportPath(startedAt: Date): string {
  const stamp = startedAt.toISOString().replace(/[:]/g, '-').replace(/\..*$/, '');
  return join(ARTIFACTS, 'loadtest', `report-${stamp}.html`);
}

/**
 * One load test from start to end: system, sale, shoppers, sockets, the sale itself, the wait for every
 * outcome, verification, summary and report. Everything it starts it stops, also on failure; the global
 * deadline bounds every wait, and when it passes the run reports what it had.
 */
export async function runLoadtest(o: LoadtestOptions, io: RunIo): Promise<RunResult> {
  const startedAt = new Date();
  const deadline = startedAt.getTime() + o.timeoutSeconds * 1000;
  const runId = randomBytes(4).toString('hex');
  const fdLimit = openFileLimit();
  const clients = clientProcessesFor(o, fdLimit);
  const problems = capacityProblems(o, clients, fdLimit);
  if (problems.length > 0) throw new UsageError(problems.join('\n'));
  if (o.targets.length > 0 && o.shoppers / o.notifierUrls.length > fdLimit * 0.9) {
    io.stderr.write(`loadtest: warning: ${o.shoppers} sockets over ${o.notifierUrls.length} notifier(s) may exceed their open-file limit\n`);
  }

  const progress = new ProgressLine(io.stderr, o.progress);
  const log = (line: string) => progress.log(line);
  const within = <T>(p: Promise<T>, what: string): Promise<T> => {
    const left = deadline - Date.now();
    if (left <= 0) return Promise.reject(new Timeout(`timed out before ${what}`));
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    return Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Timeout(`timed out during ${what}`)), left);
        onAbort = () => reject(new Timeout(`interrupted during ${what}`));
        io.signal?.addEventListener('abort', onAbort, { once: true });
      }),
    ]).finally(() => {
      clearTimeout(timer);
      if (onAbort) io.signal?.removeEventListener('abort', onAbort);
    });
  };

  let sys: SystemUnderTest | undefined;
  // Kept so that a start cut short by the deadline is still stopped once it completes.
  let starting: Promise<SystemUnderTest> | undefined;
  let fleet: ClientFleet | undefined;
  let shoppers: PreparedShopper[] = [];
  let records: RequestRecord[] = [];
  let timedOut = false;
  let lostClients = 0;
  let itemId = 0;
  let prepStart = 0;
  const prep: PreparationInfo = { saleAndShoppersMs: 0, socketsMs: 0, socketsOpen: 0, socketsFailed: 0, connectionsOpen: 0 };
  const stopSignals = () => {
    fleet?.kill();
  };
  process.once('exit', stopSignals);
  const interrupt = () => fleet?.stop();
  io.signal?.addEventListener('abort', interrupt, { once: true });

  try {
    try {
      let t = now();
      if (o.targets.length === 0) {
        log(`loadtest: starting ${o.apis} order-api, ${o.workers} order-worker and ${o.notifiers} websocket-notifier on loopback…`);
        starting = startSelfHosted(o, log);
        sys = await within(starting, 'system start');
        prep.systemStartMs = now() - t;
      } else {
        sys = targetSystem(o);
      }
      t = now();
      log(`loadtest: creating the sale (${o.stock} units) and ${o.shoppers} shoppers…`);
      const sale = await within(createSale(sys, o.stock, runId, o.timeoutSeconds), 'sale creation');
      itemId = sale.id;
      shoppers = await within(prepareShoppers(sys, o.shoppers, runId, o.timeoutSeconds + 600), 'shopper preparation');
      prep.saleAndShoppersMs = now() - t;

      const shares = dealShoppers(shoppers, { clients, apis: sys.apis, notifiers: sys.notifiers, offsets: arrivalOffsets(o.shoppers, o.pattern, o.rampSeconds) });
      log(`loadtest: sale #${itemId}; ${clients} client processes open ${o.shoppers} sockets${o.httpConnections === 0 ? ` and ${o.shoppers} HTTP connections` : ''}…`);
      prepStart = Date.now();
      fleet = ClientFleet.start(agentInits(shares, o, itemId, deadline));
      const ticker = setInterval(() => progress.update(renderProgress({ phase: 'prepare', shoppers: o.shoppers, counts: fleet!.total, elapsedMs: Date.now() - prepStart })), 200);
      let ready: boolean;
      try {
        ready = await within(fleet.ready(deadline), 'opening sockets');
      } finally {
        clearInterval(ticker);
      }
      progress.update(renderProgress({ phase: 'prepare', shoppers: o.shoppers, counts: fleet.total, elapsedMs: Date.now() - prepStart }), true);
      progress.end();
      const c = fleet.total;
      Object.assign(prep, { socketsMs: fleet.preparedMs, socketsOpen: c.socketsOpen, socketsFailed: c.socketsFailed, connectionsOpen: c.connectionsOpen });
      if (!ready) throw new Timeout('timed out while opening sockets');

      // A moment ahead, so every client process has the message before the instant comes.
      const at = Date.now() + 300;
      log(`loadtest: ${o.pattern === 'burst' ? `firing all ${o.shoppers} orders at once` : `firing ${o.shoppers} orders over ${o.rampSeconds} s`}…`);
      fleet.fire(at);
      const fireTicker = setInterval(() => progress.update(renderProgress({ phase: 'fire', shoppers: o.shoppers, counts: fleet!.total, elapsedMs: Math.max(0, Date.now() - at) })), 200);
      try {
        const res = await fleet.results(deadline);
        records = res.records;
        lostClients = res.lost.length;
        timedOut = !res.complete;
        if (timedOut) {
          const why = io.signal?.aborted ? 'stopped by Ctrl-C' : `stopped at the deadline (--timeout-seconds ${o.timeoutSeconds})`;
          log(`loadtest: ${why}${res.lost.length ? `, ${res.lost.length} client processes lost` : ''}; reporting what there is`);
        }
      } finally {
        clearInterval(fireTicker);
      }
      progress.update(renderProgress({ phase: 'fire', shoppers: o.shoppers, counts: fleet.total, elapsedMs: Math.max(0, Date.now() - at) }), true);
      progress.end();
    } catch (err) {
      if (!(err instanceof Timeout)) throw err;
      timedOut = true;
      progress.end();
      log(`loadtest: ${err.message}; reporting what there is`);
      if (fleet) {
        const c = fleet.total;
        if (prep.socketsOpen === 0) Object.assign(prep, { socketsMs: Date.now() - prepStart, socketsOpen: c.socketsOpen, socketsFailed: c.socketsFailed, connectionsOpen: c.connectionsOpen });
        const res = await fleet.results(Date.now());
        records = res.records;
        lostClients = res.lost.length;
      }
    }
    fleet?.kill();

    let checks: Check[] = [];
    if (io.signal?.aborted) {
      checks = [{ name: 'run completed', ok: false, detail: 'interrupted (Ctrl-C); the started processes stop with it, so nothing was verified' }];
    } else if (sys && itemId > 0) {
      log(`loadtest: verifying ${records.filter((r) => r.status === 202).length} accepted orders through the API, Redis and PostgreSQL…`);
      const tokens = new Map(shoppers.map((s) => [s.userId, s.token]));
      checks = await verifySale(sys, { itemId, stock: o.stock, records, tokenOf: (id) => tokens.get(id)! });
    }
    // Shoppers never dealt to a client (lost with it) still count: they are demand that got no answer.
    const known = new Set(records.map((r) => r.index));
    const all = [...records, ...shoppers.map((s, index) => ({ s, index })).filter(({ index }) => !known.has(index)).map(({ s, index }) => lostRecord(index, s.userId))];
    const figures = computeFigures(
      all,
      {
        startedAt: startedAt.toISOString(),
        command: io.command,
        mode: sys?.mode ?? (o.targets.length ? 'target' : 'self-hosted'),
        system: sys?.describe ?? 'not started',
        pattern: o.pattern,
        ...(o.pattern === 'ramp' ? { rampSeconds: o.rampSeconds } : {}),
        shoppers: o.shoppers,
        stock: o.stock,
        itemId,
        clientProcesses: clients,
        httpConnections: o.httpConnections === 0 ? 'one per shopper' : `pool of ${o.httpConnections}`,
        host: { cpus: availableParallelism(), node: process.version, platform: `${process.platform}/${process.arch}`, openFileLimit: fdLimit },
        timedOut,
        interrupted: io.signal?.aborted ?? false,
        lostClients,
        retries: o.retries,
      },
      prep,
      checks,
    );

    const reportPath = resolve(o.report ?? defaultReportPath(startedAt));
    const jsonPath = reportPath.replace(/\.html?$/i, '') + '.json';
    await mkdir(dirname(reportPath), { recursive: true });
    await writeFile(reportPath, renderHtmlReport(figures));
    await writeFile(jsonPath, `${JSON.stringify(figures, null, 2)}\n`);
    io.stdout.write(`\n${formatSummary(figures, reportPath)}\njson: ${jsonPath}\n`);
    return { figures, reportPath, jsonPath };
  } finally {
    process.removeListener('exit', stopSignals);
    io.signal?.removeEventListener('abort', interrupt);
    fleet?.kill();
    sys ??= await starting?.catch(() => undefined);
    if (sys?.mode === 'self-hosted') log('loadtest: stopping and removing what it started…');
    await sys?.stop();
  }
}

function lostRecord(index: number, userId: number): RequestRecord {
  return { index, userId, requestId: '', client: -1, socket: 'failed', conflictingFrames: 0 };
}
