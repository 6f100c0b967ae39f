import type { OpsOverview } from '@seckill/contracts';
import { byId, setText } from '../web-common/dom.js';
import { setData } from './dom.js';
import type { DriftState } from './drift-watch.js';
import { fmtInt, fmtRate } from './format.js';

type TileState = 'ok' | 'warn' | 'alarm' | 'idle';

class Tile {
  private readonly el: HTMLElement;
  private readonly value: HTMLElement;
  private readonly note: HTMLElement;

  constructor(id: string) {
    this.el = byId(id, HTMLElement);
    this.value = this.part('.tile-value');
    this.note = this.part('.tile-note');
  }

  set(state: TileState, value: string, note: string): void {
    setData(this.el, 'state', state);
    setText(this.value, value);
    setText(this.note, note);
  }

  private part(selector: string): HTMLElement {
    const el = this.el.querySelector<HTMLElement>(selector);
    if (!el) throw new Error(`#${this.el.id} has no ${selector}`);
    return el;
  }
}

const DRIFT_WORDS: Record<DriftState, [TileState, string]> = {
  ok: ['ok', 'Redis matches PostgreSQL'],
  settling: ['warn', 'Orders in flight, settling'],
  alarm: ['alarm', 'Out of sync for 15 s+: reconcile'],
  unknown: ['idle', 'No Redis counters yet'],
};

/** The row of tiles at the top: the five numbers that say whether a sale is healthy, at a glance. */
export class SummaryView {
  private readonly sold = new Tile('tile-sold');
  private readonly drift = new Tile('tile-drift');
  private readonly backlog = new Tile('tile-backlog');
  private readonly throughput = new Tile('tile-throughput');
  private readonly parked = new Tile('tile-parked');

  /** `orphans`: queues an app should consume that have had no consumer for a while. */
  render(overview: OpsOverview, driftState: DriftState, orphans: readonly string[]): void {
    const sales = overview.sales;
    const sold = sales.reduce((n, s) => n + s.db.sold, 0);
    const total = sales.reduce((n, s) => n + s.stockTotal, 0);
    this.sold.set(sales.length ? 'ok' : 'idle', fmtInt(sold), `of ${fmtInt(total)} units, ${sales.length} ${sales.length === 1 ? 'sale' : 'sales'}`);

    const worst = sales.reduce((m, s) => Math.max(m, Math.abs(s.drift ?? 0)), 0);
    const [state, note] = DRIFT_WORDS[sales.length ? driftState : 'unknown'];
    this.drift.set(state, fmtInt(worst), note);

    const broker = overview.rabbitmq.available;
    const queues = overview.queues;
    // Backlog: what the apps' own queues hold (their parking lots are counted apart, the payment window's
    // queue holds every unpaid order by design).
    const consumed = new Set(queues.map((q) => q.source).filter((s): s is string => s !== null));
    const work = queues.filter((q) => consumed.has(q.name));
    const backlog = work.reduce((n, q) => n + q.ready + q.unacked, 0);
    const orphan = orphans.length > 0;
    this.backlog.set(!broker ? 'idle' : orphan ? 'alarm' : 'ok', broker ? fmtInt(backlog) : '—', !broker ? 'RabbitMQ unavailable' : orphan ? `No consumer on ${orphans.join(', ')}` : 'ready + unacked in work queues');

    const rate = queues.filter((q) => !q.isParkingLot).reduce((n, q) => n + q.publishRate, 0);
    this.throughput.set(broker ? 'ok' : 'idle', broker ? fmtRate(rate) : '—', 'published into queues');

    const parked = queues.filter((q) => q.isParkingLot).reduce((n, q) => n + q.messages, 0);
    this.parked.set(!broker ? 'idle' : parked > 0 ? 'alarm' : 'ok', broker ? fmtInt(parked) : '—', parked > 0 ? 'Messages need an operator' : 'Every parking lot is empty');
  }
}
