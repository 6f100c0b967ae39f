import { setData } from './dom.js';
import type { History } from './history.js';
import { LineChart } from './line-chart.js';

/** The two large charts of the selected queue: its rates, and its depth (ready vs delivered but unacked). */
export class QueueDetail {
  private readonly rates = new LineChart({ title: 'Message rates', unit: 'rate', testid: 'chart-rates' });
  private readonly depth = new LineChart({ title: 'Depth', unit: 'count', testid: 'chart-depth' });
  private queue: string | null = null;

  constructor(
    host: HTMLElement,
    private readonly caption: HTMLElement,
  ) {
    host.replaceChildren(this.rates.element, this.depth.element);
  }

  get selected(): string | null {
    return this.queue;
  }

  select(queue: string, history: History): void {
    this.queue = queue;
    this.caption.textContent = queue;
    this.rates.setTitle(`Message rates · ${queue}`);
    this.depth.setTitle(`Depth · ${queue}`);
    this.render(history);
  }

  render(history: History): void {
    const queue = this.queue;
    if (!queue) return;
    setData(this.rates.element, 'queue', queue);
    setData(this.depth.element, 'queue', queue);
    const end = history.end();
    this.rates.update(
      [
        { label: 'Published', tone: 'publish', points: history.series(queue, 'publishRate') },
        { label: 'Delivered', tone: 'deliver', points: history.series(queue, 'deliverRate') },
        { label: 'Acked', tone: 'ack', points: history.series(queue, 'ackRate') },
      ],
      end,
    );
    this.depth.update(
      [
        { label: 'Ready', tone: 'ready', points: history.series(queue, 'ready') },
        { label: 'Unacked', tone: 'unacked', points: history.series(queue, 'unacked') },
      ],
      end,
    );
  }
}
