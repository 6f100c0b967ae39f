import type { SaleOps } from '@seckill/contracts';
import { h, setText } from '../web-common/dom.js';
import { setData } from './dom.js';
import { DriftWatch, type DriftState } from './drift-watch.js';
import { fmtInt, fmtSigned } from './format.js';
import { ORDER_STATUSES, REQUEST_STATUSES } from './types.js';

const STATUS_WORDS: Record<string, string> = { live: 'Live', upcoming: 'Upcoming', sold_out: 'Sold out', ended: 'Ended' };

const DRIFT_HINT: Record<DriftState, string> = {
  ok: 'Redis and PostgreSQL agree',
  settling: 'Orders in flight: Redis has reserved units PostgreSQL has not written yet',
  alarm: 'Redis and PostgreSQL have disagreed for a while: reconcile this sale (see docs/operations.md)',
  unknown: 'Redis has no counter for this sale yet (loaded on the first order or by reconciliation)',
};

type CellKey = 'total' | 'sold' | 'leftDb' | 'leftRedis' | 'drift' | `orders-${string}` | `requests-${string}`;

/** One sale's row; updated in place on every poll so focus and text selection survive. */
class SaleRow {
  readonly tr: HTMLTableRowElement;
  private readonly name = h('span', { class: 'sale-name' });
  private readonly badge = h('span', { class: 'badge' });
  private readonly bar = h('span', { class: 'stock-bar-fill' });
  private readonly cells = new Map<CellKey, HTMLTableCellElement>();
  driftState: DriftState = 'unknown';

  constructor(readonly id: number) {
    const cell = (key: CellKey, testid: string, extra = '') => {
      const td = h('td', { class: `num ${extra}`.trim(), 'data-testid': `sale-${id}-${testid}` });
      this.cells.set(key, td);
      return td;
    };
    const bar = h('span', { class: 'stock-bar', 'aria-hidden': 'true' }, this.bar);
    this.tr = h(
      'tr',
      { 'data-testid': `sale-${id}` },
      h('th', { scope: 'row', class: 'sale-cell' }, h('span', { class: 'sale-title' }, this.name, h('span', { class: 'sale-id' }, `#${id}`)), bar),
      h('td', {}, this.badge),
      cell('total', 'total'),
      cell('sold', 'sold', 'strong'),
      cell('leftDb', 'left-db'),
      cell('leftRedis', 'left-redis'),
      cell('drift', 'drift', 'drift'),
      ...ORDER_STATUSES.map((s) => cell(`orders-${s}`, `orders-${s}`, s === 'UNPAID' ? 'group-start' : '')),
      ...REQUEST_STATUSES.map((s) => cell(`requests-${s}`, `requests-${s}`, s === 'SUCCESS' ? 'group-start' : '')),
    );
    this.cells.get('total')?.classList.add('group-start');
  }

  update(sale: SaleOps, drift: DriftState): void {
    this.driftState = drift;
    setText(this.name, sale.name);
    setText(this.badge, STATUS_WORDS[sale.status] ?? sale.status);
    this.badge.className = `badge badge-${sale.status}`;
    setData(this.tr, 'status', sale.status);
    const sold = sale.stockTotal > 0 ? Math.min(1, Math.max(0, sale.db.sold / sale.stockTotal)) : 0;
    this.bar.style.setProperty('width', `${(sold * 100).toFixed(1)}%`);
    this.set('total', fmtInt(sale.stockTotal));
    this.set('sold', fmtInt(sale.db.sold));
    this.set('leftDb', fmtInt(sale.db.stockLeft));
    this.set('leftRedis', fmtInt(sale.redis.stockLeft));
    this.set('drift', fmtSigned(sale.drift));
    const driftCell = this.cells.get('drift');
    if (driftCell) {
      setData(driftCell, 'state', drift);
      driftCell.title = DRIFT_HINT[drift];
    }
    for (const s of ORDER_STATUSES) this.set(`orders-${s}`, fmtInt(sale.orders[s]));
    for (const s of REQUEST_STATUSES) this.set(`requests-${s}`, fmtInt(sale.requests[s]));
  }

  private set(key: CellKey, text: string): void {
    const td = this.cells.get(key);
    if (td) setText(td, text);
  }
}

/** Per sale: stock in PostgreSQL (the truth) and in Redis (the gate), the drift, orders and requests by outcome. */
export class SalesView {
  private readonly rows = new Map<number, SaleRow>();
  private readonly drift = new DriftWatch();

  constructor(
    private readonly body: HTMLTableSectionElement,
    private readonly empty: HTMLElement,
  ) {}

  render(sales: readonly SaleOps[]): void {
    const seen = new Set<number>();
    const ordered = sales.map((sale) => {
      seen.add(sale.id);
      let row = this.rows.get(sale.id);
      if (!row) {
        row = new SaleRow(sale.id);
        this.rows.set(sale.id, row);
      }
      row.update(sale, this.drift.state(sale.id, sale.drift));
      return row.tr;
    });
    for (const [id, row] of this.rows) {
      if (!seen.has(id)) {
        row.tr.remove();
        this.rows.delete(id);
      }
    }
    // Re-append only when the order changed, so an unchanged table is not touched at all.
    if (ordered.some((tr, i) => this.body.children[i] !== tr)) this.body.replaceChildren(...ordered);
    this.empty.hidden = sales.length > 0;
  }

  /** The worst drift state across the sales shown, for the summary tile. */
  worstDrift(): DriftState {
    const states = [...this.rows.values()].map((r) => r.driftState);
    for (const state of ['alarm', 'settling'] as const) if (states.includes(state)) return state;
    return 'ok';
  }

  clear(): void {
    this.rows.clear();
    this.drift.clear();
    this.body.replaceChildren();
  }
}
