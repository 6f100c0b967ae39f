import { AppProcess, freePort, type AppName, type TestEnv } from '@seckill/testing';
import { FaultProxy } from './fault-proxy';
import type { PrivateServers } from './servers/private-servers';

export interface SystemSpec {
  apis: number;
  workers: number;
  notifiers: number;
  /** Every app reaches PostgreSQL through a fault proxy. */
  proxyPostgres: boolean;
  /** The workers reach RabbitMQ (AMQP) through a fault proxy; the other apps go direct. */
  proxyWorkerBroker: boolean;
  /** The first order-api reaches RabbitMQ (AMQP) through a fault proxy; the other apps go direct. */
  proxyFirstApiBroker: boolean;
  /** Extra environment for every app, then for the workers only. */
  env: Record<string, string>;
  workerEnv: Record<string, string>;
}

export interface Proxies {
  postgres?: FaultProxy;
  workerBroker?: FaultProxy;
  firstApiBroker?: FaultProxy;
}

const SHORT: Record<AppName, string> = { 'order-api': 'api', 'order-worker': 'worker', 'websocket-notifier': 'notifier' };

/** How long a process may take to stop on SIGTERM before it is killed (and the run says so). */
const STOP_GRACE_MS = 15_000;

/**
 * One scenario's processes: order-api, order-worker and websocket-notifier instances on loopback, pointed at the
 * private servers or at fault proxies in front of them. A killed process is replaced on the same port, so
 * shoppers find it again where they left it. Processes that exit without being told to are reported.
 */
export class ScenarioSystem {
  private readonly current: AppProcess[] = [];
  private readonly stoppedOnPurpose = new Set<AppProcess>();
  private readonly all: AppProcess[] = [];
  private readonly restarts = new Map<AppProcess, number>();
  private readonly envOf = new Map<AppProcess, Record<string, string>>();
  private readonly killAtExit = () => {
    for (const p of this.all) void p.stop('SIGKILL');
  };

  private constructor(
    private readonly label: string,
    readonly proxies: Proxies,
  ) {
    // Before the private servers' own exit hook (registered earlier): the processes go first, whatever that hook does.
    process.prependOnceListener('exit', this.killAtExit);
  }

  static async start(spec: SystemSpec, env: TestEnv, servers: PrivateServers, label: string): Promise<ScenarioSystem> {
    const proxies: Proxies = {};
    const broker = { host: '127.0.0.1', port: servers.rabbitmq.ports.amqp };
    if (spec.proxyPostgres) proxies.postgres = await FaultProxy.start({ host: '127.0.0.1', port: servers.postgres.port });
    if (spec.proxyWorkerBroker) proxies.workerBroker = await FaultProxy.start(broker);
    if (spec.proxyFirstApiBroker) proxies.firstApiBroker = await FaultProxy.start(broker);
    const base: Record<string, string> = { ...env.vars, ...spec.env, ...(proxies.postgres ? { DATABASE_URL: proxies.postgres.rewrite(env.databaseUrl) } : {}) };
    const viaProxy = (proxy: FaultProxy | undefined): Record<string, string> => (proxy ? { RABBITMQ_URL: proxy.rewrite(env.amqpUrl) } : {});
    const envFor = (app: AppName, i: number): Record<string, string> => {
      if (app === 'order-worker') return { ...base, ...spec.workerEnv, ...viaProxy(proxies.workerBroker) };
      if (app === 'order-api' && i === 1) return { ...base, ...viaProxy(proxies.firstApiBroker) };
      return base;
    };
    const system = new ScenarioSystem(label, proxies);
    try {
      const counts: [AppName, number][] = [
        ['order-worker', spec.workers],
        ['order-api', spec.apis],
        ['websocket-notifier', spec.notifiers],
      ];
      for (const [app, n] of counts) {
        for (let i = 1; i <= n; i++) system.add(new AppProcess(app, `${label}-${SHORT[app]}-${i}`, await freePort(), envFor(app, i)), envFor(app, i));
      }
      await Promise.all(system.current.map((p) => p.start(60_000)));
    } catch (err) {
      await system.stop();
      throw err;
    }
    return system;
  }

  private add(p: AppProcess, env: Record<string, string>): void {
    this.current.push(p);
    this.all.push(p);
    this.envOf.set(p, env);
  }

  of(app: AppName): AppProcess[] {
    return this.current.filter((p) => p.app === app);
  }

  get processes(): readonly AppProcess[] {
    return this.current;
  }

  get apiUrls(): string[] {
    return this.of('order-api').map((p) => p.url);
  }

  get notifierUrls(): string[] {
    return this.of('websocket-notifier').map((p) => `ws://127.0.0.1:${p.port}`);
  }

  /**
   * Sends `signal` and waits for the exit. A SIGTERM that is not obeyed within the grace period is followed by a
   * SIGKILL, and `graceful` says which happened.
   */
  async kill(p: AppProcess, signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number; graceful: boolean }> {
    this.stoppedOnPurpose.add(p);
    const t0 = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const graceful = await Promise.race([
      p.stop(signal).then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), STOP_GRACE_MS))),
    ]);
    clearTimeout(timer);
    if (!graceful) await p.stop('SIGKILL');
    const exit = p.exit ?? { code: null, signal: null };
    return { ...exit, ms: Date.now() - t0, graceful };
  }

  /** A fresh process in place of `p`, on the same port and with the same environment; resolves once it is live. */
  async restart(p: AppProcess): Promise<AppProcess> {
    const next = this.replace(p);
    await next.start(60_000);
    return next;
  }

  /** The process that will replace `p` (not started yet: the caller starts it, and may kill it while it starts). */
  replace(p: AppProcess): AppProcess {
    const n = (this.restarts.get(p) ?? 0) + 1;
    const env = this.envOf.get(p)!;
    const next = new AppProcess(p.app, `${p.label.replace(/-restart\d+$/, '')}-restart${n}`, p.port, env);
    this.restarts.set(next, n);
    const at = this.current.indexOf(p);
    if (at >= 0) this.current.splice(at, 1, next);
    else this.current.push(next);
    this.all.push(next);
    this.envOf.set(next, env);
    return next;
  }

  /** Processes that ended without being told to: a product process must ride a fault out, not die of it. */
  unexpectedExits(): string[] {
    return this.all.filter((p) => p.exit && !this.stoppedOnPurpose.has(p)).map((p) => `${p.label} (${p.exit!.signal ?? `exit ${p.exit!.code}`})`);
  }

  async stop(): Promise<void> {
    await Promise.all(this.current.map((p) => this.kill(p, 'SIGTERM').catch(() => undefined)));
    await Promise.all(Object.values(this.proxies).map((proxy) => proxy.close()));
    process.removeListener('exit', this.killAtExit);
  }

  get logs(): string {
    return `artifacts/logs/${this.label}-*.log`;
  }
}
