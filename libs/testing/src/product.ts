import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppProcess, ARTIFACTS, freePort, type AppName } from './app-process';
import { ResultCollector } from './result-collector';
import { createTestEnv, SHARED_SERVERS, type TestEnv, type TestServers } from './test-env';

export interface ProductOptions {
  /** How many instances of each app to start; 0 leaves one out. Default: one of each. */
  instances?: Partial<Record<AppName, number>>;
  /** Added to the environment of every app (after the test environment's own variables). */
  vars?: Record<string, string>;
  /** Added to the environment of one app only (after `vars`). */
  overrides?: Partial<Record<AppName, Record<string, string>>>;
  /** Where the environment lives (default: the shared servers). */
  servers?: TestServers;
  /** Bind a ResultCollector before any app starts (default true). */
  collector?: boolean;
}

const APPS: readonly AppName[] = ['order-api', 'order-worker', 'websocket-notifier'];
const SHORT: Record<AppName, string> = { 'order-api': 'api', 'order-worker': 'worker', 'websocket-notifier': 'notifier' };

/**
 * The product as an e2e suite runs it: an isolated environment (createTestEnv), a ResultCollector bound before the
 * first order, and order-api / order-worker / websocket-notifier as processes on free ports, order-api told where
 * the first notifier is (as a deployment would tell it). `stop()` undoes all of it in order: the apps first (so
 * nothing reconnects to a vhost being deleted), then the collector, then the environment.
 */
export class Product {
  private readonly current: Record<AppName, AppProcess[]> = { 'order-api': [], 'order-worker': [], 'websocket-notifier': [] };
  /** Every process ever started here, replaced ones included (their logs stay readable). */
  private readonly started: AppProcess[] = [];
  /** The environment each process's place was first started with (what a replacement starts from). */
  private readonly envOf = new Map<AppProcess, Record<string, string>>();
  private replacements = 0;
  private stopped = false;

  private constructor(
    readonly name: string,
    readonly env: TestEnv,
    private readonly collector: ResultCollector | undefined,
    /** The variables every app gets: the environment's, then ProductOptions.vars. */
    readonly vars: Record<string, string>,
  ) {}

  /** The ResultCollector (throws if the product was started with `collector: false`). */
  get results(): ResultCollector {
    if (!this.collector) throw new Error('this product was started without a ResultCollector');
    return this.collector;
  }

  get api(): AppProcess {
    return this.one('order-api');
  }

  get worker(): AppProcess {
    return this.one('order-worker');
  }

  get notifier(): AppProcess {
    return this.one('websocket-notifier');
  }

  /** The running instances of an app, in start order (a replaced instance takes its predecessor's place). */
  instances(app: AppName): readonly AppProcess[] {
    return this.current[app];
  }

  /** Every process of an app started so far, replaced ones included. */
  history(app: AppName): readonly AppProcess[] {
    return this.started.filter((p) => p.app === app);
  }

  /** The log of one process so far (artifacts/logs/<label>.log). */
  logOf(p: AppProcess): string {
    try {
      return readFileSync(join(ARTIFACTS, 'logs', `${p.label}.log`), 'utf8');
    } catch {
      return '';
    }
  }

  /**
   * Stops `old` (SIGTERM unless it has already exited, e.g. after a SIGKILL) and starts the same app on the same port
   * with the environment the first instance in that place was started with, plus `vars` (vars of earlier replacements
   * do not carry over): URLs the test holds stay valid. The new instance takes the old one's place.
   */
  async replace(old: AppProcess, opts: { vars?: Record<string, string>; label?: string } = {}): Promise<AppProcess> {
    const list = this.current[old.app];
    const at = list.indexOf(old);
    if (at < 0) throw new Error(`${old.label} is not a running instance of this product`);
    await old.stop();
    this.replacements += 1;
    const root = this.envOf.get(old)!;
    const next = new AppProcess(old.app, `${this.name}-${opts.label ?? `${SHORT[old.app]}-r${this.replacements}`}-${this.env.id}`, old.port, { ...root, ...opts.vars });
    list[at] = next;
    this.track(next, root);
    await next.start();
    return next;
  }

  /** Starts one more instance of an app (stopped with the rest). */
  async add(app: AppName, vars: Record<string, string> = {}): Promise<AppProcess> {
    const p = this.create(app, await freePort(), { ...this.vars, ...vars });
    this.current[app].push(p);
    await p.start();
    return p;
  }

  /** Stops every app still running, closes the collector and removes the environment; safe after a partial start. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const errors: unknown[] = [];
    const settle = async (work: Promise<unknown>) => work.catch((e: unknown) => void errors.push(e));
    await Promise.all(this.started.map((p) => settle(p.stop())));
    if (this.collector) await settle(this.collector.close());
    await settle(this.env.cleanup());
    if (errors.length > 0) throw new AggregateError(errors, `stopping ${this.name} failed`);
  }

  /** Starts the product; if any part fails, whatever did start is stopped and cleaned up before the error is thrown. */
  static async start(name: string, opts: ProductOptions = {}): Promise<Product> {
    const env = await createTestEnv(name, opts.servers ?? SHARED_SERVERS);
    let collector: ResultCollector | undefined;
    let product: Product | undefined;
    try {
      if (opts.collector ?? true) collector = await ResultCollector.start(env.amqpUrl);
      const p = new Product(name, env, collector, { ...env.vars, ...opts.vars });
      product = p;
      const counts = Object.fromEntries(APPS.map((app) => [app, opts.instances?.[app] ?? 1])) as Record<AppName, number>;
      const ports = Object.fromEntries(
        await Promise.all(APPS.map(async (app) => [app, await Promise.all(Array.from({ length: counts[app] }, () => freePort()))] as const)),
      ) as Record<AppName, number[]>;
      const notifierPort = ports['websocket-notifier'][0];
      const wiring: Partial<Record<AppName, Record<string, string>>> = {
        'order-api': notifierPort === undefined ? {} : { NOTIFIER_PORT: String(notifierPort), NOTIFIER_PUBLIC_URL: `ws://127.0.0.1:${notifierPort}` },
      };
      for (const app of APPS) {
        for (const port of ports[app]) p.current[app].push(p.create(app, port, { ...p.vars, ...wiring[app], ...opts.overrides?.[app] }));
      }
      await Promise.all(p.started.map((a) => a.start()));
      return p;
    } catch (error) {
      if (product) await product.stop().catch(() => undefined);
      else {
        await collector?.close().catch(() => undefined);
        await env.cleanup().catch(() => undefined);
      }
      throw error;
    }
  }

  private one(app: AppName): AppProcess {
    const p = this.current[app][0];
    if (!p) throw new Error(`no ${app} in this product`);
    return p;
  }

  private create(app: AppName, port: number, env: Record<string, string>): AppProcess {
    const n = this.history(app).length;
    const p = new AppProcess(app, `${this.name}-${SHORT[app]}${n === 0 ? '' : `-${n + 1}`}-${this.env.id}`, port, env);
    this.track(p, env);
    return p;
  }

  private track(p: AppProcess, env: Record<string, string>): void {
    this.started.push(p);
    this.envOf.set(p, env);
  }
}

/** Starts the product for an e2e suite (see Product); call `stop()` in the suite's `after`. */
export function startProduct(name: string, opts: ProductOptions = {}): Promise<Product> {
  return Product.start(name, opts);
}
