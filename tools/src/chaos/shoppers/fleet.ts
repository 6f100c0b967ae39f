import { randomUUID } from 'node:crypto';
import { OrderConnections } from '../../loadtest/fire';
import type { Attempt, ShopperRecord } from './records';
import { ChaosShopper, type ShopperContext } from './shopper';

export interface FleetShopper {
  userId: number;
  token: string;
}

export interface FleetOptions {
  itemId: number;
  shoppers: readonly FleetShopper[];
  apis: readonly string[];
  notifiers: readonly string[];
  /** Arrivals come in waves: `size` shoppers click at the same instant, one wave every `everyMs`. */
  waves: { size: number; everyMs: number };
  /** Keep-alive connections per order-api (what a proxy in front of it would hold). */
  connectionsPerApi: number;
  retryDeadline(): number;
}

export interface FleetCounts {
  arrived: number;
  accepted: number;
  outcomes: number;
  done: number;
}

/**
 * The sale's shoppers, in one process (a few thousand sockets fit in its open-file limit). Shoppers arrive in
 * waves so that many requests are in flight at once while the sale still spreads over seconds, which leaves a
 * fault room to land in the middle of it. Scenarios wait on the fleet's events (N accepted, the first outcome)
 * to inject their fault, never on a clock.
 */
export class Fleet {
  readonly shoppers: ChaosShopper[];
  readonly counts: FleetCounts = { arrived: 0, accepted: 0, outcomes: 0, done: 0 };
  private readonly orders: OrderConnections;
  private readonly timers: NodeJS.Timeout[] = [];
  private waiters: { check: () => boolean; resolve: () => void }[] = [];
  private isStopped = false;
  private recount?: NodeJS.Immediate;
  private readonly sending = new Map<string, number>();
  startedAt?: number;

  constructor(private readonly o: FleetOptions) {
    this.orders = new OrderConnections(o.connectionsPerApi * o.apis.length, o.apis);
    const ctx: ShopperContext = {
      itemId: o.itemId,
      apis: o.apis,
      notifiers: o.notifiers,
      orders: this.orders,
      retryDeadline: () => o.retryDeadline(),
      stopped: () => this.isStopped,
      changed: () => this.changed(),
      inFlight: (api, delta) => {
        this.sending.set(api, (this.sending.get(api) ?? 0) + delta);
        // Waiters on requests in flight must see the moment itself, not the next turn of the loop.
        this.wake();
      },
    };
    this.shoppers = o.shoppers.map((s, index) => new ChaosShopper({ index, userId: s.userId, token: s.token, requestId: randomUUID() }, ctx));
  }

  get size(): number {
    return this.shoppers.length;
  }

  get allArrived(): boolean {
    return this.counts.arrived === this.shoppers.length;
  }

  /** Every shopper has clicked and is finished (see ChaosShopper.done). */
  get settled(): boolean {
    return this.allArrived && this.counts.done === this.shoppers.length;
  }

  start(): void {
    this.startedAt = Date.now();
    const { size, everyMs } = this.o.waves;
    for (let first = 0, wave = 0; first < this.shoppers.length; first += size, wave++) {
      const group = this.shoppers.slice(first, first + size);
      this.timers.push(
        setTimeout(() => {
          // One synchronous loop per wave: its requests reach the wire together.
          for (const s of group) {
            if (this.isStopped) return;
            this.counts.arrived++;
            void s.click();
          }
          this.changed();
        }, wave * everyMs),
      );
    }
  }

  /** Resolves once `check` holds (checked after every change); rejects at `timeoutMs` or when `signal` aborts. */
  waitFor(check: (c: FleetCounts) => boolean, timeoutMs: number, what: string, signal?: AbortSignal): Promise<void> {
    if (check(this.counts)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const finish = (err?: Error) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.waiters = this.waiters.filter((w) => w !== waiter);
        if (err) reject(err);
        else resolve();
      };
      const onAbort = () => finish(new Error(`interrupted while waiting for ${what}`));
      const timer = setTimeout(() => finish(new Error(`no ${what} within ${timeoutMs} ms (${JSON.stringify(this.counts)})`)), timeoutMs);
      const waiter = { check: () => check(this.counts), resolve: () => finish() };
      this.waiters.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** How many attempts are on the wire to `api` right now (kept as they go and come back: cheap to ask often). */
  inFlightCount(api: string): number {
    return this.sending.get(api) ?? 0;
  }

  /** Attempts sent to `api` and not answered yet: what a graceful stop of that instance must still answer. */
  inFlight(api: string): Attempt[] {
    return this.shoppers.flatMap((s) => s.record.attempts.filter((a) => a.api === api && a.sentAt !== undefined && a.answeredAt === undefined));
  }

  records(): ShopperRecord[] {
    return this.shoppers.map((s) => s.record);
  }

  stop(): void {
    if (this.isStopped) return;
    this.isStopped = true;
    for (const t of this.timers) clearTimeout(t);
    for (const s of this.shoppers) s.stop();
    this.orders.close();
    this.count();
  }

  private changed(): void {
    // Changes come in bursts (a wave, a socket storm): recount once per turn of the event loop, not per change.
    if (this.recount) return;
    this.recount = setImmediate(() => {
      this.recount = undefined;
      this.count();
    });
  }

  /** The counts as of this instant (the `counts` field is refreshed once per turn of the event loop). */
  countNow(): FleetCounts {
    this.count();
    return { ...this.counts };
  }

  private count(): void {
    let accepted = 0;
    let outcomes = 0;
    let done = 0;
    for (const s of this.shoppers) {
      if (s.record.end === 'accepted') accepted++;
      if (s.record.outcome) outcomes++;
      if (s.record.clickedAt !== undefined && s.done) done++;
    }
    Object.assign(this.counts, { accepted, outcomes, done });
    this.wake();
  }

  private wake(): void {
    if (this.waiters.length === 0) return;
    for (const w of this.waiters.filter((x) => x.check())) w.resolve();
  }
}
