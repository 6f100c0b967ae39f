import { h, s, setText } from '../web-common/dom.js';
import { setData } from './dom.js';
import { fmtInt, fmtRate } from './format.js';
import { WINDOW_MS, type Point } from './history.js';

/** Colour of a series; the stylesheet maps each to a colour that also differs in lightness (colour-blind safe). */
export type Tone = 'publish' | 'deliver' | 'ack' | 'ready' | 'unacked';

export interface ChartSeries {
  label: string;
  tone: Tone;
  points: readonly Point[];
}

export interface ChartOptions {
  title: string;
  unit: 'rate' | 'count';
  /** A sparkline: no axes, no legend, fixed size (for a table cell). */
  compact?: boolean;
  testid: string;
}

/** Samples further apart than this are not joined: a paused or failing poll shows as a gap, not a straight line. */
const GAP_MS = 7_000;
const SPARK = { width: 120, height: 30 };
const FULL_HEIGHT = 190;
const COMPACT_NUMBER = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

/**
 * A time-series chart drawn as SVG by hand (no library, no CDN): the last five minutes, right edge = newest
 * sample. Exposes `data-points`, `data-max` and `data-moved` so tests (and curious operators) can read it.
 */
export class LineChart {
  readonly element: HTMLElement;
  private readonly svg: SVGSVGElement;
  private readonly plot: HTMLElement;
  private readonly legend: HTMLElement | null;
  private series: readonly ChartSeries[] = [];
  private end = Date.now();

  constructor(private readonly opts: ChartOptions) {
    this.svg = s('svg', { role: 'img', 'aria-label': opts.title, focusable: 'false', class: 'chart-svg' });
    if (opts.compact) {
      this.svg.setAttribute('viewBox', `0 0 ${SPARK.width} ${SPARK.height}`);
      this.svg.setAttribute('width', String(SPARK.width));
      this.svg.setAttribute('height', String(SPARK.height));
      this.plot = h('span', { class: 'spark', 'data-testid': opts.testid }, this.svg);
      this.element = this.plot;
      this.legend = null;
    } else {
      this.legend = h('ul', { class: 'legend' });
      this.plot = h('div', { class: 'chart-plot' }, this.svg);
      this.element = h('figure', { class: 'chart', 'data-testid': opts.testid }, h('figcaption', { class: 'chart-head' }, h('span', { class: 'chart-title' }, opts.title), this.legend), this.plot);
      // Redrawn at the new width when the window (or a sidebar) resizes; text must not stretch with the SVG.
      new ResizeObserver(() => this.draw()).observe(this.plot);
    }
  }

  update(series: readonly ChartSeries[], end: number): void {
    this.series = series;
    this.end = end;
    this.draw();
  }

  setTitle(title: string): void {
    this.opts.title = title;
    const head = this.element.querySelector('.chart-title');
    if (head) setText(head, title);
  }

  private draw(): void {
    const compact = this.opts.compact === true;
    const width = compact ? SPARK.width : Math.max(240, Math.round(this.plot.clientWidth));
    const height = compact ? SPARK.height : FULL_HEIGHT;
    const pad = compact ? { l: 1, r: 1, t: 3, b: 3 } : { l: 52, r: 14, t: 10, b: 24 };
    const plotW = width - pad.l - pad.r;
    const plotH = height - pad.t - pad.b;
    const start = this.end - WINDOW_MS;

    let max = 0;
    let points = 0;
    for (const series of this.series) {
      let count = 0;
      for (const p of series.points) {
        if (p.value === null || p.at < start) continue;
        count++;
        max = Math.max(max, p.value);
      }
      points = Math.max(points, count);
    }
    const yMax = niceCeil(max);
    const x = (at: number) => pad.l + ((at - start) / WINDOW_MS) * plotW;
    const y = (value: number) => pad.t + plotH - (value / yMax) * plotH;

    const children: SVGElement[] = [];
    if (!compact) children.push(...this.axes(width, height, pad, x, y, yMax));
    else children.push(s('line', { class: 'baseline', x1: pad.l, x2: width - pad.r, y1: y(0), y2: y(0) }));
    for (const series of this.series) {
      const d = pathOf(series.points, start, x, y);
      if (d) children.push(s('path', { class: `line tone-${series.tone}`, d }));
      const last = lastValue(series.points);
      if (!compact && last) children.push(s('circle', { class: `dot tone-${series.tone}`, cx: x(last.at), cy: y(last.value), r: 3 }));
    }
    if (!compact) this.svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    if (!compact) this.svg.setAttribute('height', String(height));
    this.svg.replaceChildren(...children);

    setData(this.element, 'points', String(points));
    setData(this.element, 'max', String(Math.round(max * 100) / 100));
    setData(this.element, 'moved', String(max > 0));
    this.svg.setAttribute('aria-label', this.describe(max));
    this.renderLegend();
  }

  private axes(width: number, height: number, pad: { l: number; r: number; t: number; b: number }, x: (at: number) => number, y: (v: number) => number, yMax: number): SVGElement[] {
    const out: SVGElement[] = [];
    for (const v of [0, yMax / 2, yMax]) {
      out.push(s('line', { class: v === 0 ? 'axis' : 'grid', x1: pad.l, x2: width - pad.r, y1: y(v), y2: y(v) }));
      out.push(s('text', { class: 'tick', x: pad.l - 6, y: y(v) + 4, 'text-anchor': 'end' }, this.tick(v)));
    }
    for (let minute = 5; minute >= 0; minute--) {
      const at = this.end - minute * 60_000;
      const anchor = minute === 5 ? 'start' : minute === 0 ? 'end' : 'middle';
      if (minute > 0 && minute < 5) out.push(s('line', { class: 'grid grid-x', x1: x(at), x2: x(at), y1: pad.t, y2: height - pad.b }));
      out.push(s('text', { class: 'tick', x: x(at), y: height - 6, 'text-anchor': anchor }, minute === 0 ? 'now' : `−${minute}m`));
    }
    return out;
  }

  private tick(value: number): string {
    const text = value < 10 ? String(Math.round(value * 10) / 10) : COMPACT_NUMBER.format(value);
    return this.opts.unit === 'rate' ? `${text}/s` : text;
  }

  private format(value: number | null | undefined): string {
    return this.opts.unit === 'rate' ? fmtRate(value) : fmtInt(value);
  }

  private describe(max: number): string {
    const now = this.series.map((s) => `${s.label} ${this.format(lastValue(s.points)?.value)}`).join(', ');
    return `${this.opts.title}, last 5 minutes. Now: ${now || 'no data'}. Peak ${this.format(max)}.`;
  }

  private renderLegend(): void {
    if (!this.legend) return;
    if (this.legend.children.length !== this.series.length) {
      this.legend.replaceChildren(
        ...this.series.map((s) => h('li', { class: `legend-item tone-${s.tone}` }, h('span', { class: 'swatch', 'aria-hidden': 'true' }), h('span', { class: 'legend-label' }, s.label), h('span', { class: 'legend-value' }))),
      );
    }
    this.series.forEach((series, i) => {
      const item = this.legend?.children[i];
      const label = item?.querySelector('.legend-label');
      const value = item?.querySelector('.legend-value');
      if (label) setText(label, series.label);
      if (value) setText(value, this.format(lastValue(series.points)?.value));
    });
  }
}

function lastValue(points: readonly Point[]): { at: number; value: number } | null {
  const last = points.at(-1);
  return last && last.value !== null ? { at: last.at, value: last.value } : null;
}

function pathOf(points: readonly Point[], start: number, x: (at: number) => number, y: (v: number) => number): string {
  let d = '';
  let prev: number | null = null;
  for (const p of points) {
    if (p.at < start || p.value === null) {
      prev = null;
      continue;
    }
    const joined = prev !== null && p.at - prev <= GAP_MS;
    d += `${joined ? 'L' : 'M'}${x(p.at).toFixed(1)} ${y(p.value).toFixed(1)}`;
    prev = p.at;
  }
  return d;
}

/** 1, 2, 5 × 10ⁿ at or above `value`; at least 1 so an idle queue draws a flat line at the bottom, not mid-air. */
export function niceCeil(value: number): number {
  if (!(value > 1)) return 1;
  const exp = 10 ** Math.floor(Math.log10(value));
  const f = value / exp;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * exp;
}
