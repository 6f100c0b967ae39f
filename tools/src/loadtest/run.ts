import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ARTIFACTS } from '@seckill/testing';
import { capacityProblems, clientProcessesFor, UsageError, type LoadtestOptions } from './cli-options';
import { renderHtmlReport } from './html-report';
import { prepareShoppers, type PreparedShopper } from './prepare';
import { now } from './protocol';
import { ProgressLine } from './progress';
import { computeRoomFigures, roomChecks } from './room-figures';
import { guard, hasOrdered, runSale, Timeout, type SaleContext, type SaleResult } from './sale-run';
import { computeFigures, formatSummary, type Figures, type PreparationInfo, type RunInfo } from './summary';
import { startSelfHosted, targetSystem, type SystemUnderTest } from './system';

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
 * One load test from start to end: system, shoppers, the sale (with --room: the sale without the room, then the
 * same shoppers and stock through a waiting room, a fresh item each), verification, summary and report.
 * Everything it starts it stops, also on failure; each sale's deadline bounds its waits, and when it passes the
 * run reports what it had.
 */
export async function runLoadtest(o: LoadtestOptions, io: RunIo): Promise<RunResult> {
  const startedAt = new Date();
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
  const within = guard(startedAt.getTime() + o.timeoutSeconds * 1000, io.signal);

  let sys: SystemUnderTest | undefined;
  // Kept so that a start cut short by the deadline is still stopped once it completes.
  let starting: Promise<SystemUnderTest> | undefined;
  let shoppers: PreparedShopper[] = [];
  let systemStartMs: number | undefined;
  let shoppersMs = 0;
  let startTimedOut = false;

  try {
    try {
      let t = now();
      if (o.targets.length === 0) {
        log(`loadtest: starting ${o.apis} order-api, ${o.workers} order-worker and ${o.notifiers} websocket-notifier on loopback…`);
        starting = startSelfHosted(o, log);
        sys = await within(starting, 'system start');
        systemStartMs = now() - t;
      } else {
        sys = targetSystem(o);
      }
      t = now();
      log(`loadtest: preparing ${o.shoppers} shoppers…`);
      shoppers = await within(prepareShoppers(sys, o.shoppers, runId, 2 * o.timeoutSeconds + 600), 'shopper preparation');
      shoppersMs = now() - t;
    } catch (err) {
      if (!(err instanceof Timeout)) throw err;
      startTimedOut = true;
      progress.end();
      log(`loadtest: ${err.message}; reporting what there is`);
    }

    let baseline: SaleResult | undefined;
    let sale: SaleResult | undefined;
    if (sys && shoppers.length > 0) {
      const ctx: SaleContext = { o, sys, shoppers, clients, runId, progress, log, ...(io.signal ? { signal: io.signal } : {}) };
      if (o.room && o.baseline) {
        log('loadtest: sale 1 of 2: without the waiting room');
        baseline = await runSale(ctx, false);
        if (!io.signal?.aborted) log('loadtest: sale 2 of 2: the same shoppers and stock through a waiting room');
      }
      if (!io.signal?.aborted) sale = await runSale(ctx, o.room);
    }

    const info = (s: SaleResult | undefined) => runInfo(o, io, { startedAt, sys, clients, fdLimit, itemId: s?.itemId ?? 0, timedOut: startTimedOut || (s?.timedOut ?? false), lostClients: s?.lostClients ?? 0 });
    const prep = (s: SaleResult | undefined): PreparationInfo => ({
      ...(systemStartMs !== undefined ? { systemStartMs } : {}),
      ...(s?.prep ?? { socketsMs: 0, socketsOpen: 0, socketsFailed: 0, connectionsOpen: 0 }),
      saleAndShoppersMs: shoppersMs + (s?.prep.saleAndShoppersMs ?? 0),
    });
    const baselineFigures = baseline ? computeFigures(baseline.records, info(baseline), prep(baseline), baseline.checks) : undefined;
    let figures: Figures;
    if (o.room && sale?.room) {
      const room = computeRoomFigures({
        records: sale.records,
        apiSends: sale.apiSends,
        ...(baseline ? { baseline: { records: baseline.records, apiSends: baseline.apiSends } } : {}),
        settings: { admitPerSecond: o.roomRate, preQueueSeconds: o.preQueueSeconds, joinSeconds: sale.room.joinSeconds, startTime: sale.room.plan.startTime },
      });
      const checks = io.signal?.aborted ? sale.checks : [...sale.checks, ...roomChecks(room, sale.records, o.stock)];
      figures = { ...computeFigures(sale.records.filter(hasOrdered), info(sale), prep(sale), checks), room };
    } else {
      figures = computeFigures(sale?.records ?? [], info(sale), prep(sale), sale?.checks ?? []);
    }
    if (baselineFigures) figures = { ...figures, baseline: baselineFigures, ok: figures.ok && baselineFigures.ok };

    const reportPath = resolve(o.report ?? defaultReportPath(startedAt));
    const jsonPath = reportPath.replace(/\.html?$/i, '') + '.json';
    await mkdir(dirname(reportPath), { recursive: true });
    await writeFile(reportPath, renderHtmlReport(figures));
    await writeFile(jsonPath, `${JSON.stringify(figures, null, 2)}\n`);
    const before = baselineFigures ? `\n=== sale 1 of 2: without the waiting room ===\n${formatSummary(baselineFigures, undefined, { result: false })}\n\n=== sale 2 of 2: with the waiting room ===` : '';
    io.stdout.write(`${before}\n${formatSummary(figures, reportPath)}\njson: ${jsonPath}\n`);
    return { figures, reportPath, jsonPath };
  } finally {
    sys ??= await starting?.catch(() => undefined);
    if (sys?.mode === 'self-hosted') log('loadtest: stopping and removing what it started…');
    await sys?.stop();
  }
}

function runInfo(
  o: LoadtestOptions,
  io: RunIo,
  x: { startedAt: Date; sys: SystemUnderTest | undefined; clients: number; fdLimit: number; itemId: number; timedOut: boolean; lostClients: number },
): RunInfo {
  return {
    startedAt: x.startedAt.toISOString(),
    command: io.command,
    mode: x.sys?.mode ?? (o.targets.length ? 'target' : 'self-hosted'),
    system: x.sys?.describe ?? 'not started',
    pattern: o.pattern,
    ...(o.pattern === 'ramp' ? { rampSeconds: o.rampSeconds } : {}),
    shoppers: o.shoppers,
    stock: o.stock,
    itemId: x.itemId,
    clientProcesses: x.clients,
    httpConnections: o.httpConnections === 0 ? 'one per shopper' : `pool of ${o.httpConnections}`,
    host: { cpus: availableParallelism(), node: process.version, platform: `${process.platform}/${process.arch}`, openFileLimit: x.fdLimit },
    timedOut: x.timedOut,
    interrupted: io.signal?.aborted ?? false,
    lostClients: x.lostClients,
    retries: o.retries,
  };
}
