import type { Dependency } from './dependency-fault';

/** One dependency a process needs; `check` rejects (or resolves false) when it is unreachable. */
export interface DependencyCheck {
  name: Dependency;
  check(): Promise<unknown>;
  /**
   * false: the process still does its main work without it (order-api takes orders without PostgreSQL), so it
   * is reported but does not make the process unready. Default true.
   */
  critical?: boolean;
  /** Releases what the check holds (its own connection), at shutdown. */
  close?(): Promise<void>;
}

/** Something else readiness depends on: a consumer attached to its queue, a subscriber connection. */
export interface ReadinessPart {
  name: string;
  state(): { ready: boolean; detail?: string };
}

export interface DependencyStatus {
  up: boolean;
  critical: boolean;
  /** When the current state began (ms since epoch). */
  since: number;
  error?: string;
}

export interface MonitorOptions {
  /** Probe interval while everything answers. */
  intervalMs: number;
  /** Probe interval while something is down: recovery is noticed within this. */
  downIntervalMs: number;
  /** A check that takes longer counts as down. */
  timeoutMs: number;
}

export type StatusListener = (name: Dependency, status: DependencyStatus) => void;

/**
 * Knows, at every moment, which dependencies answer. Probes them periodically (faster while one is down) and on
 * demand; concurrent demands share one probe. Consumers ask it whether a failure was an outage and when to
 * resume; readiness reads it; the `seckill_dependency_up` gauge mirrors it. No I/O of its own beyond the checks.
 */
export class DependencyMonitor {
  private readonly statuses = new Map<Dependency, DependencyStatus>();
  private readonly parts: ReadinessPart[] = [];
  private readonly listeners: StatusListener[] = [];
  private inFlight?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly checks: readonly DependencyCheck[],
    private readonly options: MonitorOptions,
    private readonly now: () => number = Date.now,
  ) {
    // Optimistic until the first probe: a process that just started has just connected to everything.
    for (const c of checks) this.statuses.set(c.name, { up: true, critical: c.critical ?? true, since: now() });
  }

  get dependencies(): Dependency[] {
    return this.checks.map((c) => c.name);
  }

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await Promise.all(this.checks.map((c) => c.close?.().catch(() => undefined)));
  }

  onChange(listener: StatusListener): void {
    this.listeners.push(listener);
  }

  addReadinessPart(part: ReadinessPart): void {
    this.parts.push(part);
  }

  readinessParts(): readonly ReadinessPart[] {
    return this.parts;
  }

  status(name: Dependency): DependencyStatus | undefined {
    return this.statuses.get(name);
  }

  all(): ReadonlyMap<Dependency, DependencyStatus> {
    return this.statuses;
  }

  /** As of the last probe. A dependency this process does not use counts as up. */
  isUp(name: Dependency): boolean {
    return this.statuses.get(name)?.up ?? true;
  }

  /** Probes now (sharing a probe already running) and returns the dependencies among `names` that are down. */
  async probe(names: readonly Dependency[] = this.dependencies): Promise<Dependency[]> {
    this.inFlight ??= this.runChecks().finally(() => (this.inFlight = undefined));
    await this.inFlight;
    return names.filter((n) => !this.isUp(n));
  }

  private async runChecks(): Promise<void> {
    await Promise.all(
      this.checks.map(async (c) => {
        let error: string | undefined;
        try {
          const ok = await withTimeout(c.check(), this.options.timeoutMs);
          if (ok === false) error = 'not connected';
        } catch (err) {
          error = err instanceof Error ? err.message : String(err);
        }
        this.record(c, error);
      }),
    );
  }

  private record(c: DependencyCheck, error: string | undefined): void {
    const before = this.statuses.get(c.name);
    const up = error === undefined;
    const status: DependencyStatus = {
      up,
      critical: c.critical ?? true,
      since: before && before.up === up ? before.since : this.now(),
      ...(error !== undefined ? { error } : {}),
    };
    this.statuses.set(c.name, status);
    if (!before || before.up !== up) for (const l of this.listeners) l(c.name, status);
  }

  private schedule(): void {
    if (this.stopped) return;
    const anyDown = [...this.statuses.values()].some((s) => !s.up);
    this.timer = setTimeout(() => {
      void this.probe().finally(() => this.schedule());
    }, anyDown ? this.options.downIntervalMs : this.options.intervalMs);
    this.timer.unref();
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      // Not unref'd: it is short, and a probe waiting on a silent dependency must still end.
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
