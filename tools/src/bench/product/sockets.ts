import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MESSAGE_VERSION, type OrderResultMessage } from '@seckill/contracts';
import { ConfirmedPublisher, createAmqpConnection, Exchange, RoutingKey } from '@seckill/messaging';
import { AppProcess, createTestEnv, freePort, mintToken, TEST_JWT_SECRET } from '@seckill/testing';
import type { Bench } from '../bench';
import { rssKiB } from '../cpu';
import { log, type Sample } from '../measurement';
import type { BenchOptions } from '../options';
import type { ClientJob, ClientReport } from './socket-clients';

export interface SocketMemory {
  sockets: number;
  /** Medians of the notifier's RSS sampled each second: idle before the sockets, and over SETTLE_SEC with them. */
  rssBeforeKiB: number;
  rssAfterKiB: number;
  /** The lowest and highest RSS sampled with the sockets (the garbage collector's timing moves it). */
  rssAfterRangeKiB: [number, number];
  bytesPerSocket: number;
  openSeconds: number;
  allOpen: boolean;
  clientProcesses: number;
  /** One result per socket published at once (RabbitMQ, as order-worker does): from the first publish to the first and the last frame. */
  push?: { frames: number; publishSeconds: number; firstFrameSeconds: number; lastFrameSeconds: number };
}

/** Files a process needs besides its sockets (modules, logs, Redis, RabbitMQ, PostgreSQL, listening sockets). */
const FD_HEADROOM = 256;
/** Sockets per client process: below one source address's ~28,000 ephemeral ports, and its file limit. */
const PER_CLIENT = 20_000;
const PUBLISH_CHUNK = 1_000;
const PUSH_TIMEOUT_MS = 180_000;
/** RSS is sampled this long with the sockets open: past a heartbeat (30 s) and the safety net's passes. */
const SETTLE_SEC = 35;

/** The median of `seconds` samples of a process's RSS, one a second, with the lowest and highest. */
async function sampleRss(pid: number, seconds: number): Promise<{ median: number; min: number; max: number }> {
  const samples: number[] = [];
  for (let i = 0; i < seconds; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    samples.push(rssKiB(pid));
  }
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(samples.length / 2)] ?? 0, min: samples[0] ?? 0, max: samples.at(-1) ?? 0 };
}

/** The soft and hard RLIMIT_NOFILE of a process, from /proc (Linux). */
export function fileLimits(pid: number | 'self'): { soft: number; hard: number } {
  const line = readFileSync(`/proc/${pid}/limits`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  const [soft, hard] = (line?.slice('Max open files'.length).trim().split(/\s+/) ?? []).map((v) => (v === 'unlimited' ? Infinity : Number(v)));
  if (soft === undefined || hard === undefined) throw new Error(`cannot read the file limits of ${pid}`);
  return { soft, hard };
}

/**
 * Lets the notifier open `need` files: Node already raised its soft limit to the hard one; above that, `prlimit`
 * raises both, which takes CAP_SYS_RESOURCE (root outside a container). Throws, saying so, when it cannot.
 */
function allowFiles(pid: number, sockets: number): void {
  const need = sockets + FD_HEADROOM;
  if (fileLimits(pid).soft >= need) return;
  try {
    execFileSync('prlimit', ['--pid', String(pid), `--nofile=${need}:${need}`], { stdio: 'pipe' });
  } catch {
    // reported below, with the limit that stands
  }
  const { soft, hard } = fileLimits(pid);
  if (soft >= need) return;
  throw new Error(
    `${sockets} sockets need the notifier to open ${need} files; its limit is ${soft} (hard ${hard}) and raising it failed ` +
      `(prlimit needs CAP_SYS_RESOURCE: root outside a container, or docker run --ulimit nofile=${need}). ` +
      `At most ${Math.max(0, soft - FD_HEADROOM)} sockets here.`,
  );
}

/** The most sockets one notifier may hold on this machine without raising a hard limit. */
export function socketsAllowed(): number {
  return Math.max(0, fileLimits('self').hard - FD_HEADROOM);
}

interface Client {
  child: ChildProcess;
  job: ClientJob;
  opened: number;
  reports: ClientReport[];
  next(type: ClientReport['type']): Promise<ClientReport>;
}

/** Forks a client process (socket-clients.ts) for one share of the sockets, from its own loopback address. */
function startClient(job: ClientJob, onProgress: () => void): Client {
  const child = fork(join(__dirname, 'socket-clients.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = new Map<string, (r: ClientReport) => void>();
  const client: Client = {
    child,
    job,
    opened: 0,
    reports: [],
    next: (type) =>
      new Promise((resolve, reject) => {
        waiting.set(type, resolve);
        waiting.set('failed', (r) => reject(new Error(`socket client ${job.localAddress}: ${(r as { message: string }).message}`)));
      }),
  };
  child.on('message', (r: ClientReport) => {
    if (r.type === 'progress') {
      client.opened = r.opened;
      onProgress();
    }
    waiting.get(r.type)?.(r);
  });
  child.once('exit', (code) => waiting.get('failed')?.({ type: 'failed', message: `exited with ${code}` }));
  child.send(job);
  return client;
}

/**
 * Holds `n` idle sockets on one websocket-notifier (its own process, isolated environment), reads its resident
 * memory from /proc before and after (medians of samples a second apart: after, over SETTLE_SEC), then publishes one result per socket at once and times the pushes. The
 * sockets come from client processes of PER_CLIENT sockets each, each from its own address 127.0.0.2, .3, …
 * (file limits per process; ephemeral ports per source address). Each waits on its own random uuid with a
 * valid token. (Also behind `npm run sockets:capacity`.)
 */
export async function measureSocketMemory(n: number, progress: (opened: number) => void = () => undefined, opts: { push?: boolean } = {}): Promise<SocketMemory> {
  if (!Number.isSafeInteger(n) || n < 1) throw new Error('the socket count must be a positive integer');
  const env = await createTestEnv('socket-capacity');
  const notifier = new AppProcess('websocket-notifier', `socket-capacity-${env.id}`, await freePort(), {
    ...env.vars,
    LOG_LEVEL: 'warn',
    // One user holds every socket, each on a uuid nobody orders: lift the per-user limit and the bounded wait.
    RATE_LIMITS: 'off',
    NOTIFIER_UNOWNED_WAIT_MS: String(3_600_000),
    NOTIFIER_MAX_SOCKETS: String(n),
    // The results all arrive at once: let the notifier take them in as fast as it can store them.
    NOTIFY_PREFETCH: '1000',
  });
  const clients: Client[] = [];
  try {
    await notifier.start();
    const pid = notifier.pid;
    if (pid === undefined) throw new Error('the notifier did not start');
    allowFiles(pid, n);
    // Let start-up garbage settle so the baseline is the idle process, not its boot.
    await new Promise((r) => setTimeout(r, 2000));
    const before = (await sampleRss(pid, 5)).median;
    const token = mintToken(TEST_JWT_SECRET, { id: 1, username: 'capacity' }, 3600);
    const uuids = Array.from({ length: n }, () => randomUUID());
    const started = performance.now();
    const report = () => progress(clients.reduce((sum, c) => sum + c.opened, 0));
    // A client process may open as many files as this one (it inherits the limits).
    const perClient = Math.min(PER_CLIENT, socketsAllowed());
    for (let at = 0, i = 0; at < n; at += perClient, i++) {
      const job = { url: `ws://127.0.0.1:${notifier.port}`, token, uuids: uuids.slice(at, at + perClient), localAddress: `127.0.0.${2 + i}` };
      clients.push(startClient(job, report));
    }
    const opened = await Promise.all(clients.map((c) => c.next('opened')));
    const openSeconds = (performance.now() - started) / 1000;
    const after = await sampleRss(pid, SETTLE_SEC);
    const memory: SocketMemory = {
      sockets: n,
      rssBeforeKiB: before,
      rssAfterKiB: after.median,
      rssAfterRangeKiB: [after.min, after.max],
      bytesPerSocket: ((after.median - before) * 1024) / n,
      openSeconds,
      allOpen: opened.every((r, i) => r.type === 'opened' && r.open === clients[i]?.job.uuids.length),
      clientProcesses: clients.length,
    };
    if (opts.push !== false) memory.push = await pushToAll(env.amqpUrl, uuids, clients);
    return memory;
  } finally {
    for (const c of clients) c.child.kill();
    await notifier.stop();
    await env.cleanup();
  }
}

/** Publishes a result for every uuid at once and waits until every socket has its frame (or PUSH_TIMEOUT_MS). */
async function pushToAll(amqpUrl: string, uuids: readonly string[], clients: readonly Client[]): Promise<NonNullable<SocketMemory['push']>> {
  const connection = createAmqpConnection({ url: amqpUrl, name: 'socket-capacity' });
  const publisher = new ConfirmedPublisher(connection, 30_000);
  try {
    const result = (uuid: string): OrderResultMessage => ({
      version: MESSAGE_VERSION,
      type: 'order.result',
      uuid,
      userId: 1,
      seckillGoodId: 1,
      status: 'FAIL',
      reason: 'SOLD_OUT',
      decidedAt: new Date().toISOString(),
    });
    const t0 = Date.now();
    for (let at = 0; at < uuids.length; at += PUBLISH_CHUNK) {
      await Promise.all(uuids.slice(at, at + PUBLISH_CHUNK).map((uuid) => publisher.publish(Exchange.RESULT, RoutingKey.ORDER_FAIL, result(uuid), { uuid })));
    }
    const published = Date.now();
    let frames: Extract<ClientReport, { type: 'frames' }>[] = [];
    while (Date.now() - t0 < PUSH_TIMEOUT_MS) {
      frames = (await Promise.all(
        clients.map((c) => {
          const next = c.next('frames');
          c.child.send({ type: 'report' });
          return next;
        }),
      )) as Extract<ClientReport, { type: 'frames' }>[];
      if (frames.reduce((sum, f) => sum + f.count, 0) >= uuids.length) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const got = frames.filter((f) => f.count > 0);
    return {
      frames: frames.reduce((sum, f) => sum + f.count, 0),
      publishSeconds: (published - t0) / 1000,
      firstFrameSeconds: got.length ? (Math.min(...got.map((f) => f.firstAt)) - t0) / 1000 : NaN,
      lastFrameSeconds: got.length ? (Math.max(...got.map((f) => f.lastAt)) - t0) / 1000 : NaN,
    };
  } finally {
    await publisher.close();
    await connection.close();
  }
}

/** 10,000 idle sockets on one notifier: memory per socket (once: a memory figure, not a throughput). */
export class SocketMemoryBench implements Bench {
  readonly id = 'sockets' as const;
  readonly label = 'idle sockets on one notifier: memory per socket';
  readonly unit = 'bytes' as const;
  readonly firstRoundOnly = true;
  readonly method: string;

  constructor(private readonly opts: BenchOptions) {
    this.method = `${opts.sockets} idle sockets opened over loopback on one websocket-notifier; its RSS from /proc before and after (medians, after over ${SETTLE_SEC} s), divided by the sockets`;
  }

  async setup(): Promise<void> {}

  async run(): Promise<Sample> {
    const m = await measureSocketMemory(this.opts.sockets, undefined, { push: false });
    log(`  ${m.sockets} sockets: RSS ${(m.rssBeforeKiB / 1024).toFixed(1)} → ${(m.rssAfterKiB / 1024).toFixed(1)} MiB, ${(m.bytesPerSocket / 1024).toFixed(1)} KiB per socket${m.allOpen ? '' : ' (some closed!)'}`);
    return { value: m.bytesPerSocket, detail: { ...m } };
  }

  async teardown(): Promise<void> {}
}
