import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { ManagementClient } from '@seckill/messaging';
import { ARTIFACTS, REPO_ROOT, sql } from '@seckill/testing';
import type { Bench } from './bench';
import { PostgresBaseline } from './ceilings/postgres';
import { FastifyCeiling } from './ceilings/fastify';
import { RabbitMqCeiling } from './ceilings/rabbitmq';
import { RedisCeiling } from './ceilings/redis';
import { waitForQuiet } from './cpu';
import { rewriteDocs } from './docs';
import { createWorld, type World } from './fixtures';
import { log, measured, type Measured, type Sample } from './measurement';
import { parseArgs, USAGE, type BenchOptions, type MeasurementId } from './options';
import { AcceptedOrders } from './product/accepted';
import { LoginFloodBench } from './product/login-flood';
import { ApiFixture } from './product/api-fixture';
import { Scaling } from './product/scaling';
import { SellOut } from './product/sell-out';
import { SocketMemoryBench } from './product/sockets';
import { SoldOutFlood } from './product/sold-out';
import { RoomJoinFlood } from './product/room-join';
import { WorkerThroughput } from './product/worker';
import { profileOrderApi, type ProfileReport } from './profile/run';
import { buildLimits, buildTargets, ceilingsTable, cpuTable, docsTableSection, profileTables, scalingNote, scalingTable, sellOutTable, targetsTable, type BenchReport } from './report';

/**
 * `npm run bench`: the machine's ceilings and the product side by side, in one run, on loopback, in isolated
 * environments that are removed afterwards. See docs/benchmarks.md for what is measured and why.
 */

const WRK_USERS: MeasurementId[] = ['fastify', 'sold-out', 'room-join', 'accepted', 'accepted-request-id', 'login-flood', 'sell-out', 'scaling', 'profile'];

function need<T>(value: T | undefined, what: string): () => T {
  return () => {
    if (value === undefined) throw new Error(`${what} was not prepared`);
    return value;
  };
}

async function machineInfo(world: World | undefined): Promise<Record<string, string | number>> {
  const info: Record<string, string | number> = {
    cpu: `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown'}`,
    memory: `${(totalmem() / 1024 ** 3).toFixed(0)} GiB`,
    kernel: release(),
    node: process.version,
  };
  try {
    info.wrk = execFileSync('wrk', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).split('\n')[0]!.split(' ')[1] ?? '';
  } catch (err) {
    // `wrk --version` exits 1 after printing its usage
    const out = (err as { stdout?: string }).stdout ?? '';
    info.wrk = out.split('\n')[0]?.split(' ')[1] ?? 'unknown';
  }
  if (world) {
    try {
      info.postgres = (await sql<{ server_version: string }>(world.env.databaseUrl, 'SHOW server_version'))[0]!.server_version.split(' ')[0]!;
      const redis = new Redis(world.env.redisUrl);
      info.redis = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? 'unknown';
      redis.disconnect();
      info.rabbitmq = (await new ManagementClient(world.env.vars.RABBITMQ_MANAGEMENT_URL!).overview()).rabbitmq_version ?? 'unknown';
    } catch (err) {
      log(`could not read server versions: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return info;
}

async function run(opts: BenchOptions): Promise<BenchReport> {
  const selected = new Set(opts.only);
  const has = (...ids: MeasurementId[]) => ids.some((id) => selected.has(id));
  if (has(...WRK_USERS)) execFileSync('bash', [join(REPO_ROOT, 'scripts', 'ensure-wrk.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });
  const startedAt = new Date();
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');

  let ceilings: World | undefined;
  let api: ApiFixture | undefined;
  let workerWorld: World | undefined;
  const benches: Bench[] = [];
  const samples = new Map<MeasurementId, { bench: Bench; list: Sample[] }>();
  let profile: ProfileReport | undefined;
  let machine: Record<string, string | number> = {};
  try {
    if (has('fastify', 'redis', 'rabbitmq', 'postgres')) ceilings = await createWorld('bench-ceilings', opts.units);
    if (has('sold-out', 'room-join', 'accepted', 'accepted-request-id')) api = await ApiFixture.start('bench-api', opts.units);
    if (has('worker')) workerWorld = await createWorld('bench-worker', opts.workerOrders);
    machine = await machineInfo(ceilings ?? api?.world ?? workerWorld);

    const ceilingWorld = need(ceilings, 'the ceilings environment');
    const apiFixture = need(api, 'order-api');
    const all: Bench[] = [
      new FastifyCeiling(opts, () => ceilingWorld().shoppers.tokensFile),
      new SoldOutFlood(opts, apiFixture),
      new RoomJoinFlood(opts, apiFixture),
      new RedisCeiling(opts, ceilingWorld),
      new RabbitMqCeiling(opts, ceilingWorld),
      new AcceptedOrders(opts, apiFixture, false),
      new AcceptedOrders(opts, apiFixture, true),
      new PostgresBaseline(opts, ceilingWorld),
      new WorkerThroughput(opts, need(workerWorld, 'the worker environment')),
      new SocketMemoryBench(opts),
      new LoginFloodBench(opts),
      new SellOut(opts),
      new Scaling(opts),
    ];
    for (const b of all) if (selected.has(b.id)) benches.push(b);
    for (const b of benches) {
      await b.setup();
      samples.set(b.id, { bench: b, list: [] });
    }
    for (const b of benches) {
      if (!b.warmup) continue;
      log(`warm-up: ${b.label}`);
      await b.warmup();
    }
    for (let round = 1; round <= opts.rounds && benches.length > 0; round++) {
      log(`round ${round} of ${opts.rounds}`);
      for (const b of benches) {
        if (b.firstRoundOnly && round > 1) continue;
        const quiet = opts.waitQuietSec > 0 ? await waitForQuiet(opts.waitQuietSec) : undefined;
        if (quiet && !quiet.quiet) log(`  (the machine stayed busy: ${quiet.busyCores.toFixed(2)} cores used by others after ${quiet.waitedSeconds.toFixed(0)} s of waiting)`);
        const sample = await b.run(round);
        if (quiet) sample.detail = { ...sample.detail, waitedForQuiet: quiet };
        samples.get(b.id)!.list.push(sample);
      }
    }
    for (const b of benches.splice(0)) await b.teardown();
    // free what the rounds used before the profiling run starts its own order-api
    for (const fixture of [api, ceilings, workerWorld]) await (fixture instanceof ApiFixture ? fixture.stop() : fixture?.dispose());
    api = ceilings = workerWorld = undefined;
    if (selected.has('profile')) {
      log('profiling order-api (sold-out flood, then one accepted-orders sale)');
      profile = await profileOrderApi(opts, stamp);
    }
  } finally {
    for (const b of benches) await b.teardown().catch((err: unknown) => log(`teardown of ${b.id}: ${String(err)}`));
    await api?.stop().catch((err: unknown) => log(`stopping order-api: ${String(err)}`));
    await ceilings?.dispose().catch((err: unknown) => log(`cleanup: ${String(err)}`));
    await workerWorld?.dispose().catch((err: unknown) => log(`cleanup: ${String(err)}`));
  }

  const measurements: Partial<Record<MeasurementId, Measured>> = {};
  for (const [id, { bench, list }] of samples) measurements[id] = measured(id, bench.label, bench.method, list, bench.unit);
  const finishedAt = new Date();
  return {
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    seconds: (finishedAt.getTime() - startedAt.getTime()) / 1000,
    machine,
    options: Object.fromEntries(Object.entries(opts).filter(([k]) => !['help', 'writeDocs', 'report'].includes(k))),
    measurements,
    targets: buildTargets(measurements),
    limits: buildLimits(measurements),
    ...(measurements.sockets ? { socketBytes: measurements.sockets.summary.best } : {}),
    ...(profile ? { profile } : {}),
  };
}

function printReport(report: BenchReport): void {
  const out: string[] = ['', `npm run bench — ${report.startedAt}, ${report.seconds.toFixed(0)} s`, Object.entries(report.machine).map(([k, v]) => `${k} ${v}`).join(', '), ''];
  if (Object.keys(report.measurements).some((id) => ['fastify', 'redis', 'rabbitmq', 'postgres'].includes(id))) out.push('CEILINGS', ceilingsTable(report, 'text'), '');
  if (report.targets.length > 0 || (report.limits ?? []).length > 0 || report.socketBytes !== undefined) out.push('PRODUCT AGAINST THE TARGETS', targetsTable(report, 'text'), '');
  const sellOut = sellOutTable(report, 'text');
  if (sellOut) out.push("SELL-OUT (a run like the peers' table)", sellOut, '');
  const scaling = scalingTable(report, 'text');
  if (scaling) out.push('COST AS WORK GROWS', scaling, scalingNote(report), '');
  const loginFlood = report.measurements['login-flood'];
  if (loginFlood) {
    out.push('ORDER P99 (sold-out flood) ALONE AND DURING A LOGIN FLOOD');
    for (const [i, s] of loginFlood.samples.entries()) {
      const d = s.detail as { p99AloneMs: number; p99DuringMs: number; p99Ratio: number; loginsPerSec: number; loginCodes: Record<string, number> };
      out.push(`round ${i + 1}: ${d.p99AloneMs.toFixed(2)} ms alone, ${d.p99DuringMs.toFixed(2)} ms during (× ${d.p99Ratio.toFixed(2)}); logins ${Math.round(d.loginsPerSec)}/s ${JSON.stringify(d.loginCodes)}`);
    }
    out.push('');
  }
  out.push('CPU (cores, average of the rounds)', cpuTable(report, 'text'), '');
  if (report.profile) out.push('PROFILE (order-api, top self time)', profileTables(report.profile, 'text', 10), '');
  console.log(out.join('\n'));
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.help) {
    console.log(USAGE);
    return;
  }
  let report: BenchReport;
  if (opts.report) {
    report = JSON.parse(readFileSync(opts.report, 'utf8')) as BenchReport;
    // reports saved before the sell-out bounds existed
    report.limits ??= buildLimits(report.measurements);
    printReport(report);
  } else {
    report = await run(opts);
    printReport(report);
    const dir = join(ARTIFACTS, 'bench');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `bench-${report.startedAt.replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`results: ${file}`);
  }
  if (opts.writeDocs) {
    const docs = join(REPO_ROOT, 'docs', 'benchmarks.md');
    rewriteDocs(docs, { table: docsTableSection(report), ...(report.profile ? { profile: profileTables(report.profile, 'markdown') } : {}) });
    console.log(`rewrote the generated tables in ${docs}`);
  }
}

main().catch((err: unknown) => {
  console.error(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
