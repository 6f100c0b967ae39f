import { join } from 'node:path';
import { REPO_ROOT } from '@seckill/testing';
import { NsProcess, waitFor } from '../exec';
import { namespaceOf, PORTS, type Host, type HostKind } from '../layout';

export type AppKind = Extract<HostKind, 'order-api' | 'order-worker' | 'websocket-notifier'>;

const PORT_VARIABLE: Record<AppKind, string> = { 'order-api': 'ORDER_API_PORT', 'order-worker': 'ORDER_WORKER_PORT', 'websocket-notifier': 'NOTIFIER_PORT' };

/** One product process on its own host: `node dist/apps/<app>/src/main.js` inside the host's namespace. */
export class AppHost {
  private proc?: NsProcess;
  /** Set when the lab stops it on purpose: any other exit is the product dying on its own. */
  private stopping = false;

  constructor(
    readonly host: Host,
    private readonly env: Record<string, string>,
    private readonly logDir: string,
  ) {}

  get app(): AppKind {
    return this.host.kind as AppKind;
  }

  get port(): number {
    return PORTS[this.app];
  }

  get httpUrl(): string {
    return `http://${this.host.address}:${this.port}`;
  }

  get wsUrl(): string {
    return `ws://${this.host.address}:${this.port}`;
  }

  get running(): boolean {
    return this.proc?.running ?? false;
  }

  /** Exited without being asked to: how (for the scenario's checks). */
  get died(): string | undefined {
    return this.proc && !this.proc.running && !this.stopping ? (this.proc.ending ?? 'exited') : undefined;
  }

  async start(timeoutMs = 60_000, signal?: AbortSignal): Promise<void> {
    this.stopping = false;
    this.proc = NsProcess.spawn(this.host.name, namespaceOf(this.host), process.execPath, [join(REPO_ROOT, 'dist/apps', this.app, 'src/main.js')], {
      env: { ...this.env, [PORT_VARIABLE[this.app]]: String(this.port), HOST: '0.0.0.0' },
      logFile: join(this.logDir, `${this.host.name}.log`),
      cwd: REPO_ROOT,
    });
    await this.waitReady(timeoutMs, signal);
  }

  /** /health/ready answers 200: every dependency of the process answers. */
  async ready(): Promise<boolean> {
    const res = await fetch(`${this.httpUrl}/health/ready`, { signal: AbortSignal.timeout(3_000) });
    return res.ok;
  }

  async waitReady(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const proc = this.proc;
    await waitFor(
      `${this.host.name} (${this.app}) ready`,
      timeoutMs,
      async () => {
        if (!proc?.running) throw new Error(`${this.host.name} exited (${proc?.ending}); see ${proc?.logFile}`);
        return this.ready();
      },
      { everyMs: 250, ...(signal ? { signal } : {}) },
    );
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.proc?.stop('SIGTERM', 15_000);
  }
}
