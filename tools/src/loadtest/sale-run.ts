import type { LoadtestOptions } from './cli-options';
import { ClientFleet } from './clients';
import { agentInits, arrivalOffsets, createSale, dealShoppers, type PreparedShopper } from './prepare';
import { now, type RequestRecord } from './protocol';
import { renderProgress, type ProgressLine } from './progress';
import { defaultJoinSeconds, planRoomSale, type RoomPlan } from './room-plan';
import type { PreparationInfo } from './summary';
import type { SystemUnderTest } from './system';
import { verifySale, type Check } from './verify';

export class Timeout extends Error {}

/** A promise raced against a deadline and Ctrl-C: a Timeout says which step was cut short. */
export function guard(deadline: number, signal?: AbortSignal): <T>(p: Promise<T>, what: string) => Promise<T> {
  return <T>(p: Promise<T>, what: string): Promise<T> => {
    const left = deadline - Date.now();
    if (left <= 0) return Promise.reject(new Timeout(`timed out before ${what}`));
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    return Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Timeout(`timed out during ${what}`)), left);
        onAbort = () => reject(new Timeout(`interrupted during ${what}`));
        signal?.addEventListener('abort', onAbort, { once: true });
      }),
    ]).finally(() => {
      clearTimeout(timer);
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    });
  };
}

/** What one sale needs from the run around it: the system, its shoppers, and where to say what happens. */
export interface SaleContext {
  o: LoadtestOptions;
  sys: SystemUnderTest;
  shoppers: readonly PreparedShopper[];
  clients: number;
  runId: string;
  progress: ProgressLine;
  log(line: string): void;
  signal?: AbortSignal;
}

/** One sale from creation to verification. */
export interface SaleResult {
  itemId: number;
  /** One per shopper, lost ones included. */
  records: RequestRecord[];
  /** When each request to order-api went on the wire. */
  apiSends: number[];
  timedOut: boolean;
  lostClients: number;
  prep: Omit<PreparationInfo, 'systemStartMs'>;
  checks: Check[];
  /** The waiting room's sale: when it started and how the joins were spread. */
  room?: { plan: RoomPlan; joinSeconds: number };
}

/** How long before the planned first join the room's item is created: enough for the admin call on a busy machine. */
const CREATE_LEAD_MS = 1500;

/**
 * One sale on a running system with prepared shoppers: the item, the client processes, the orders (or, with
 * `room`, the joins), every outcome, and the invariants. Its own deadline (`--timeout-seconds` from its start)
 * bounds every wait; when it passes the sale reports what it had.
 */
export async function runSale(ctx: SaleContext, room: boolean): Promise<SaleResult> {
  const { o, sys, shoppers, clients, progress, log, signal } = ctx;
  const deadline = Date.now() + o.timeoutSeconds * 1000;
  const within = guard(deadline, signal);
  const result: SaleResult = { itemId: 0, records: [], apiSends: [], timedOut: false, lostClients: 0, prep: { saleAndShoppersMs: 0, socketsMs: 0, socketsOpen: 0, socketsFailed: 0, connectionsOpen: 0 }, checks: [] };
  const joinSeconds = o.joinSeconds ?? defaultJoinSeconds(o.preQueueSeconds);
  let fleet: ClientFleet | undefined;
  let prepStart = 0;
  const interrupt = () => fleet?.stop();
  signal?.addEventListener('abort', interrupt, { once: true });
  const kill = () => fleet?.kill();
  process.once('exit', kill);
  const phase = room ? 'room' : 'fire';
  try {
    try {
      let offsets = arrivalOffsets(o.shoppers, o.pattern, o.rampSeconds);
      if (room) {
        // Only the spread matters here; the instant is fixed once the clients are ready.
        offsets = planRoomSale(0, { shoppers: o.shoppers, preQueueSeconds: o.preQueueSeconds, joinSeconds, liveSeconds: o.timeoutSeconds }).offsets;
      } else {
        const t = now();
        log(`loadtest: creating the sale (${o.stock} units)…`);
        result.itemId = (await within(createSale(sys, o.stock, ctx.runId, o.timeoutSeconds), 'sale creation')).id;
        result.prep.saleAndShoppersMs = now() - t;
      }
      const shares = dealShoppers(shoppers, { clients, apis: sys.apis, notifiers: sys.notifiers, offsets });
      const opening = room ? `${o.httpConnections === 0 ? `${o.shoppers} HTTP connections (room and order sockets open when joined and admitted)` : 'nothing ahead (pooled HTTP)'}` : `${o.shoppers} sockets${o.httpConnections === 0 ? ` and ${o.shoppers} HTTP connections` : ''}`;
      log(`loadtest: ${room ? 'waiting-room sale' : `sale #${result.itemId}`}; ${clients} client processes open ${opening}…`);
      prepStart = Date.now();
      fleet = ClientFleet.start(agentInits(shares, o, result.itemId, deadline).map((init) => (room ? { ...init, room: true } : init)));
      const f = fleet;
      const ticker = setInterval(() => progress.update(renderProgress({ phase: 'prepare', shoppers: o.shoppers, counts: f.total, elapsedMs: Date.now() - prepStart })), 200);
      let ready: boolean;
      try {
        ready = await within(f.ready(deadline), 'opening connections');
      } finally {
        clearInterval(ticker);
      }
      progress.update(renderProgress({ phase: 'prepare', shoppers: o.shoppers, counts: f.total, elapsedMs: Date.now() - prepStart }), true);
      progress.end();
      const c = f.total;
      Object.assign(result.prep, { socketsMs: f.preparedMs, socketsOpen: c.socketsOpen, socketsFailed: c.socketsFailed, connectionsOpen: c.connectionsOpen });
      if (!ready) throw new Timeout('timed out while opening sockets');

      // A moment ahead, so every client process has the message before the instant comes.
      let at = Date.now() + 300;
      if (room) {
        const t = now();
        const plan = planRoomSale(Date.now() + CREATE_LEAD_MS, { shoppers: o.shoppers, preQueueSeconds: o.preQueueSeconds, joinSeconds, liveSeconds: o.timeoutSeconds });
        const timing = { startTime: new Date(plan.startTime).toISOString(), endTime: new Date(plan.endTime).toISOString() };
        log(`loadtest: creating the sale (${o.stock} units) with its waiting room: ${o.roomRate}/s, pre-queue ${o.preQueueSeconds} s, start ${timing.startTime}…`);
        const item = await within(createSale(sys, o.stock, ctx.runId, o.timeoutSeconds, { ...timing, waitingRoom: { admitPerSecond: o.roomRate, preQueueSeconds: o.preQueueSeconds } }), 'sale creation');
        result.itemId = item.id;
        result.prep.saleAndShoppersMs = now() - t;
        result.room = { plan, joinSeconds };
        at = Math.max(plan.fireAt, Date.now() + 100);
        if (at > plan.fireAt) log(`loadtest: warning: the sale took ${Math.round(now() - t)} ms to create; the joins start ${at - plan.fireAt} ms late, closer to the start`);
      }
      log(
        room
          ? `loadtest: sale #${result.itemId}: ${o.shoppers} shoppers join ${joinSeconds > 0 ? `over ${joinSeconds} s` : 'at once'}, the sale starts ${((result.room!.plan.startTime - at) / 1000).toFixed(1)} s after the first join…`
          : `loadtest: ${o.pattern === 'burst' ? `firing all ${o.shoppers} orders at once` : `firing ${o.shoppers} orders over ${o.rampSeconds} s`}…`,
      );
      f.fire(at, room ? result.itemId : undefined);
      const fireTicker = setInterval(() => progress.update(renderProgress({ phase, shoppers: o.shoppers, counts: f.total, elapsedMs: Math.max(0, Date.now() - at) })), 200);
      try {
        const res = await f.results(deadline);
        Object.assign(result, { records: res.records, apiSends: res.apiSends, lostClients: res.lost.length, timedOut: !res.complete });
        if (result.timedOut) {
          const why = signal?.aborted ? 'stopped by Ctrl-C' : `stopped at the deadline (--timeout-seconds ${o.timeoutSeconds})`;
          log(`loadtest: ${why}${res.lost.length ? `, ${res.lost.length} client processes lost` : ''}; reporting what there is`);
        }
      } finally {
        clearInterval(fireTicker);
      }
      progress.update(renderProgress({ phase, shoppers: o.shoppers, counts: f.total, elapsedMs: Math.max(0, Date.now() - at) }), true);
      progress.end();
    } catch (err) {
      if (!(err instanceof Timeout)) throw err;
      result.timedOut = true;
      progress.end();
      log(`loadtest: ${err.message}; reporting what there is`);
      if (fleet) {
        const c = fleet.total;
        if (result.prep.socketsOpen === 0) Object.assign(result.prep, { socketsMs: Date.now() - prepStart, socketsOpen: c.socketsOpen, socketsFailed: c.socketsFailed, connectionsOpen: c.connectionsOpen });
        const res = await fleet.results(Date.now());
        Object.assign(result, { records: res.records, apiSends: res.apiSends, lostClients: res.lost.length });
      }
    }
    fleet?.kill();

    // Shoppers never dealt to a client (lost with it) still count: they are demand that got no answer.
    const known = new Set(result.records.map((r) => r.index));
    result.records = [...result.records, ...shoppers.map((s, index) => ({ s, index })).filter(({ index }) => !known.has(index)).map(({ s, index }) => lostRecord(index, s.userId))];

    if (signal?.aborted) {
      result.checks = [{ name: 'run completed', ok: false, detail: 'interrupted (Ctrl-C); the started processes stop with it, so nothing was verified' }];
    } else if (result.itemId > 0) {
      // In the waiting room only the admitted shoppers ordered: the sale's checks are about their orders.
      const ordered = room ? result.records.filter(hasOrdered) : result.records;
      log(`loadtest: verifying ${ordered.filter((r) => r.status === 202).length} accepted orders of sale #${result.itemId} through the API, Redis and PostgreSQL…`);
      const tokens = new Map(shoppers.map((s) => [s.userId, s.token]));
      result.checks = await verifySale(sys, { itemId: result.itemId, stock: o.stock, records: ordered, tokenOf: (id) => tokens.get(id)! });
    }
    return result;
  } finally {
    signal?.removeEventListener('abort', interrupt);
    process.removeListener('exit', kill);
    fleet?.kill();
  }
}

/** A shopper whose order went out (or at least was attempted): the others never got past the room. */
export function hasOrdered(r: RequestRecord): boolean {
  return r.sentAt !== undefined || r.status !== undefined || r.error !== undefined || (r.retried?.length ?? 0) > 0;
}

function lostRecord(index: number, userId: number): RequestRecord {
  return { index, userId, requestId: '', client: -1, socket: 'failed', conflictingFrames: 0 };
}
