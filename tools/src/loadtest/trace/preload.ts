import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { Server, type IncomingMessage, type ServerResponse } from 'node:http';
import { Session } from 'node:inspector';
import { basename, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';

/**
 * The timeline of one burst, from inside every process of a self-hosted load test: loaded with
 * `NODE_OPTIONS="--require $PWD/dist/tools/src/loadtest/trace/preload.js" LOADTEST_TRACE_DIR=dir`, it reaches the
 * order-apis, the worker, the notifiers and the client processes alike (they inherit the environment), and does
 * nothing without LOADTEST_TRACE_DIR. It wraps, from the outside, the few functions a burst's time goes through
 * (no product code knows about it) and writes `<role>-<pid>.jsonl` lines `[epochMs, kind, value, detail]`;
 * `timeline.js` (beside it) turns a directory of them into the table of docs/loadtest.md.
 *
 * What it records: every 20 ms, how late a 20 ms timer fired and the event loop's utilisation (the stalls);
 * order-api: each order POST reaching the HTTP server and its answer leaving, the token check, the service call,
 * the shared limits, the Redis reservation, the publish confirm and the QUEUED mark, each with its duration;
 * order-worker: each delivery and each batch; notifier: each order.result frame sent; client processes: each
 * shopper's send, answer and pushed outcome (from the records they report). `LOADTEST_TRACE_PROFILE=order-api`
 * (a comma-separated list of roles: order-api, order-worker, websocket-notifier) also writes a CPU profile of
 * each such process, `<role>-<pid>.cpuprofile` (Chrome DevTools, speedscope), from its start to 1.5 s after its
 * last traced event.
 */

type Event = [number, string, unknown?, unknown?, unknown?];
type AnyFn = (this: unknown, ...args: unknown[]) => unknown;
type Proto = Record<string, AnyFn> | undefined;

const dir = process.env.LOADTEST_TRACE_DIR;
// Worker threads (order-api's password hashers) load it too; they play no part in a burst.
if (dir && isMainThread) install(dir);

function install(dir: string): void {
  const main = process.argv[1] ?? '';
  const repo = main.includes('/dist/') ? main.slice(0, main.indexOf('/dist/')) : process.cwd();
  const app = /dist\/apps\/([^/]+)\//.exec(main)?.[1];
  const role = app ?? (main.endsWith('agent.js') ? 'agent' : basename(main, '.js'));
  const now = () => performance.timeOrigin + performance.now();
  const events: Event[] = [];
  /** When the process last did something the trace records (not counting the loop sampler): ends a profile. */
  let lastActivity = 0;
  const mark = (kind: string, value?: unknown, detail?: unknown) => {
    const t = now();
    if (kind !== 'loop') lastActivity = t;
    events.push([Math.round(t * 10) / 10, kind, value, detail]);
  };
  const ms = (since: number) => Math.round((now() - since) * 100) / 100;
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${role}-${process.pid}.jsonl`);
  const flush = () => {
    if (events.length > 0) appendFileSync(file, events.splice(0).map((e) => JSON.stringify(e)).join('\n') + '\n');
  };
  setInterval(flush, 1000).unref();
  process.on('exit', flush);

  let last = now();
  let elu = performance.eventLoopUtilization();
  setInterval(() => {
    const t = now();
    const e = performance.eventLoopUtilization();
    mark('loop', Math.round(t - last - 20), Math.round(performance.eventLoopUtilization(e, elu).utilization * 100));
    elu = e;
    last = t;
  }, 20).unref();

  const load = (path: string): Record<string, { prototype: Proto } | undefined> | undefined => {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      return require(join(repo, path)) as Record<string, { prototype: Proto } | undefined>;
    } catch {
      return undefined;
    }
  };
  /** Wraps an async method: `kind:in` when called, `kind` with its duration and outcome when settled. */
  const timeAsync = (proto: Proto, name: string, kind: string) => {
    const original = proto?.[name];
    if (!proto || !original) return;
    proto[name] = function (this: unknown, ...args: unknown[]) {
      const t = now();
      mark(`${kind}:in`);
      const result = original.apply(this, args);
      if (result instanceof Promise) {
        result.then(
          (r: unknown) => mark(kind, ms(t), outcomeOf(r)),
          (err: unknown) => mark(kind, ms(t), `ERR:${errorOf(err)}`),
        );
      } else mark(kind, ms(t));
      return result;
    };
  };
  const timeSync = (proto: Proto, name: string, kind: string) => {
    const original = proto?.[name];
    if (!proto || !original) return;
    proto[name] = function (this: unknown, ...args: unknown[]) {
      const t = now();
      try {
        return original.apply(this, args);
      } finally {
        mark(kind, ms(t));
      }
    };
  };

  if (app === 'order-api') {
    const emit = Server.prototype.emit as AnyFn;
    (Server.prototype as unknown as { emit: AnyFn }).emit = function (this: unknown, ...args: unknown[]) {
      const [name, req, res] = args as [string, IncomingMessage, ServerResponse];
      if (name === 'request' && req.method === 'POST' && req.url === '/api/seckill/orders') {
        mark('http:req');
        res.once('finish', () => mark('http:res', res.statusCode));
      }
      return emit.apply(this, args);
    };
    timeSync(load('dist/apps/order-api/src/auth/auth.guards.js')?.BearerGuard?.prototype, 'canActivate', 'token');
    timeAsync(load('dist/apps/order-api/src/orders/place-order/place-order.service.js')?.PlaceOrderService?.prototype, 'place', 'place');
    timeAsync(load('dist/apps/order-api/src/limits/request-limits.js')?.RequestLimits?.prototype, 'order', 'limits');
    const stock = load('dist/libs/infrastructure/stock/src/stock.service.js')?.StockService?.prototype;
    timeAsync(stock, 'reserve', 'reserve');
    timeAsync(stock, 'markQueued', 'markQueued');
  }
  if (app === 'order-api' || app === 'order-worker') {
    timeAsync(load('dist/libs/infrastructure/messaging/src/confirmed-publisher.js')?.ConfirmedPublisher?.prototype, 'publishBytes', 'publish');
  }
  if (app === 'order-worker') {
    const pump = load('dist/libs/infrastructure/messaging/src/batch-pump.js')?.BatchPump?.prototype;
    const push = pump?.push;
    const runOne = pump?.runOne;
    if (pump && push && runOne) {
      pump.push = function (this: unknown, ...args: unknown[]) {
        mark('deliver');
        return push.apply(this, args);
      };
      pump.runOne = function (this: unknown, ...args: unknown[]) {
        const t = now();
        const size = (args[0] as unknown[]).length;
        mark('batch:in', size);
        return (runOne.apply(this, args) as Promise<void>).finally(() => mark('batch', ms(t), size));
      };
    }
  }
  if (app === 'websocket-notifier') {
    // @nestjs/platform-ws brings a copy of ws of its own: whichever made the sockets, both are wrapped.
    for (const path of ['node_modules/ws', 'node_modules/@nestjs/platform-ws/node_modules/ws']) {
      const ws = load(path) as { prototype?: Proto } | undefined;
      const send = ws?.prototype?.send;
      if (!ws?.prototype || !send) continue;
      ws.prototype.send = function (this: unknown, ...args: unknown[]) {
        const data = args[0];
        if ((typeof data === 'string' || Buffer.isBuffer(data)) && data.includes('order.result')) mark('push');
        return send.apply(this, args);
      };
    }
  }
  if (role === 'agent' && process.send) {
    // The records an agent reports at the end hold every time it took: copied here rather than timed again.
    const send = process.send.bind(process) as (m: unknown, ...rest: unknown[]) => boolean;
    process.send = ((m: unknown, ...rest: unknown[]) => {
      const done = m as { type?: string; records?: AgentRecord[] };
      if (done.type === 'done') {
        for (const r of done.records ?? []) events.push([r.retried?.[0]?.sentAt ?? r.sentAt ?? 0, 'client', r.status ?? null, r.answeredAt ?? null, r.outcome?.at ?? null]);
        // Now: the parent may kill this process as soon as it has the records.
        flush();
      }
      return send(m, ...rest);
    }) as typeof process.send;
  }

  const profiled = (process.env.LOADTEST_TRACE_PROFILE ?? '').split(',').includes(role);
  if (profiled) {
    // Until 1.5 s after the process's last traced event: a process stopped by a signal at the end of the run
    // would not get to write it on exit.
    const session = new Session();
    session.connect();
    session.post('Profiler.enable');
    session.post('Profiler.setSamplingInterval', { interval: 500 });
    session.post('Profiler.start');
    const timer = setInterval(() => {
      if (lastActivity === 0 || now() - lastActivity < 1500) return;
      clearInterval(timer);
      session.post('Profiler.stop', (err, r) => {
        if (!err) writeFileSync(join(dir, `${role}-${process.pid}.cpuprofile`), JSON.stringify(r.profile));
      });
    }, 100);
    timer.unref();
  }
}

interface AgentRecord {
  sentAt?: number;
  answeredAt?: number;
  status?: number;
  retried?: { sentAt?: number }[];
  outcome?: { at: number };
}

function outcomeOf(r: unknown): unknown {
  if (typeof r !== 'object' || r === null) return undefined;
  const o = r as { kind?: unknown; status?: unknown };
  return o.kind ?? o.status;
}

function errorOf(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  return String(e?.code ?? e?.message ?? err);
}
