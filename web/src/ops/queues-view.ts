import type { QueueOps } from '@seckill/contracts';
import { h, setText } from '../web-common/dom.js';
import { setData } from './dom.js';
import { fmtInt, fmtRate } from './format.js';
import type { History } from './history.js';
import { LineChart } from './line-chart.js';
import { QueueDetail } from './queue-detail.js';
import { Sustained } from './sustained.js';

/** The queue the order flood goes through: what an operator looks at first during a sale (docs/topology.md). */
const FIRST_CHOICE = 'seckill.order.pending';
/** Ready counts are compared with this long ago to show whether a backlog grows or drains. */
const TREND_MS = 30_000;
/** RabbitMQ reports a consumer several seconds after it subscribed: only a lasting 0 means the app is gone. */
export const ORPHAN_AFTER_MS = 15_000;

type Metric = 'ready' | 'unacked' | 'consumers' | 'publish' | 'deliver' | 'ack';

class QueueRow {
  readonly tr: HTMLTableRowElement;
  readonly select: HTMLButtonElement;
  private readonly tags = h('span', { class: 'tags' });
  private readonly cells = new Map<Metric, HTMLTableCellElement>();
  private readonly readyCell: HTMLTableCellElement;
  private readonly consumersCell: HTMLTableCellElement;
  private readonly trend = h('span', { class: 'trend', 'aria-hidden': 'true' });
  private readonly spark: LineChart;
  orphan = false;

  constructor(readonly name: string, onSelect: (name: string) => void) {
    const cell = (key: Metric) => {
      const td = h('td', { class: 'num', 'data-testid': `queue-${name}-${key}` });
      this.cells.set(key, td);
      return td;
    };
    this.select = h('button', { type: 'button', class: 'queue-select', 'aria-pressed': 'false', 'data-testid': `select-${name}`, title: 'Show this queue in the charts' }, name);
    this.select.addEventListener('click', () => onSelect(name));
    this.spark = new LineChart({ title: `Published and delivered per second, ${name}`, unit: 'rate', compact: true, testid: `spark-${name}` });
    this.readyCell = cell('ready');
    this.consumersCell = cell('consumers');
    this.tr = h(
      'tr',
      { 'data-testid': `queue-${name}` },
      h('th', { scope: 'row', class: 'queue-cell' }, this.select, this.tags),
      this.readyCell,
      cell('unacked'),
      this.consumersCell,
      cell('publish'),
      cell('deliver'),
      cell('ack'),
      h('td', { class: 'spark-cell' }, this.spark.element),
    );
    this.readyCell.prepend(this.trend);
    this.cells.get('publish')?.classList.add('group-start');
  }

  /** `orphan`: a queue an app should consume has had no consumer for a while. */
  update(q: QueueOps, consumedByDesign: boolean, orphan: boolean, history: History): void {
    this.orphan = orphan;
    const ago = history.valueAgo(q.name, 'ready', TREND_MS);
    const direction = ago === null || ago === q.ready ? 'flat' : q.ready > ago ? 'up' : 'down';
    setText(this.trend, direction === 'up' ? '↑' : direction === 'down' ? '↓' : '');
    setData(this.readyCell, 'trend', direction);
    this.readyCell.title = direction === 'flat' ? '' : `${direction === 'up' ? 'Grew' : 'Shrank'} over the last 30 s (was ${fmtInt(ago)})`;
    // A growing backlog matters on the queues apps consume; the payment window's queue grows by design.
    setData(this.readyCell, 'watch', String(consumedByDesign));
    this.set('ready', fmtInt(q.ready));
    this.set('unacked', fmtInt(q.unacked));
    this.set('consumers', fmtInt(q.consumers));
    this.set('publish', fmtRate(q.publishRate));
    this.set('deliver', fmtRate(q.deliverRate));
    this.set('ack', fmtRate(q.ackRate));
    setData(this.consumersCell, 'state', orphan ? 'alarm' : 'ok');
    this.consumersCell.title = orphan ? 'No consumer connected: is the app that reads this queue running?' : '';
    setData(this.tr, 'kind', q.isParkingLot ? 'parking-lot' : 'queue');
    const tags = [q.isParkingLot ? 'parking lot' : null, orphan ? 'no consumer' : null].filter((t): t is string => t !== null);
    if (this.tags.textContent !== tags.join('')) this.tags.replaceChildren(...tags.map((t) => h('span', { class: `tag ${t === 'no consumer' ? 'tag-alarm' : ''}`.trim() }, t)));
    this.spark.update(
      [
        { label: 'Published', tone: 'publish', points: history.series(q.name, 'publishRate') },
        { label: 'Delivered', tone: 'deliver', points: history.series(q.name, 'deliverRate') },
      ],
      history.end(),
    );
  }

  selected(on: boolean): void {
    this.select.setAttribute('aria-pressed', String(on));
    this.tr.classList.toggle('is-selected', on);
  }

  private set(key: Metric, text: string): void {
    const td = this.cells.get(key);
    if (!td) return;
    // The trend arrow lives in the ready cell too: write the number into its own text node.
    const node = [...td.childNodes].find((n) => n.nodeType === Node.TEXT_NODE);
    if (node) {
      if (node.textContent !== text) node.textContent = text;
    } else td.append(text);
  }
}

/** Every queue of the vhost: depth, consumers, rates and a sparkline; one selected queue drawn large. */
export class QueuesView {
  private readonly rows = new Map<string, QueueRow>();
  private readonly detail: QueueDetail;
  private readonly noConsumer = new Sustained<string>(ORPHAN_AFTER_MS);
  private chosenByOperator = false;

  constructor(
    private readonly body: HTMLTableSectionElement,
    private readonly empty: HTMLElement,
    charts: HTMLElement,
    caption: HTMLElement,
    private readonly history: History,
  ) {
    this.detail = new QueueDetail(charts, caption);
  }

  render(queues: readonly QueueOps[]): void {
    const sources = new Set(queues.map((q) => q.source).filter((s): s is string => s !== null));
    const seen = new Set<string>();
    const ordered = queues.map((q) => {
      seen.add(q.name);
      let row = this.rows.get(q.name);
      if (!row) {
        row = new QueueRow(q.name, (name) => this.choose(name));
        this.rows.set(q.name, row);
      }
      // Queues that have a parking lot are the ones an app consumes; none connected means that app is down.
      const consumed = sources.has(q.name);
      row.update(q, consumed, this.noConsumer.held(q.name, consumed && q.consumers === 0), this.history);
      return row.tr;
    });
    for (const [name, row] of this.rows) {
      if (!seen.has(name)) {
        row.tr.remove();
        this.rows.delete(name);
      }
    }
    if (ordered.some((tr, i) => this.body.children[i] !== tr)) this.body.replaceChildren(...ordered);
    this.empty.hidden = queues.length > 0;

    const current = this.detail.selected;
    if (!current || (!seen.has(current) && !this.chosenByOperator)) {
      const first = queues.find((q) => q.name === FIRST_CHOICE) ?? queues.find((q) => !q.isParkingLot) ?? queues[0];
      if (first) this.show(first.name);
    } else this.detail.render(this.history);
  }

  /** Queues without their consumer for a while (for the summary tile). */
  orphans(): string[] {
    return [...this.rows.values()].filter((r) => r.orphan).map((r) => r.name);
  }

  clear(): void {
    this.rows.clear();
    this.noConsumer.clear();
    this.body.replaceChildren();
    this.chosenByOperator = false;
  }

  private choose(name: string): void {
    this.chosenByOperator = true;
    this.show(name);
  }

  private show(name: string): void {
    for (const [n, row] of this.rows) row.selected(n === name);
    this.detail.select(name, this.history);
  }
}
