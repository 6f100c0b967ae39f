import { maxOf, niceTicks } from './stats';

/**
 * Inline SVG charts for the HTML report, drawn here rather than by a charting library so the report is one
 * file that opens offline, anywhere, forever.
 */

export function esc(s: string | number): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function fmt(x: number): string {
  if (!Number.isFinite(x)) return '–';
  if (Math.abs(x) >= 1000) return Math.round(x).toLocaleString('en-US');
  if (Math.abs(x) >= 10 || Number.isInteger(x)) return String(Math.round(x));
  return x.toFixed(1).replace(/\.0$/, '');
}

interface Frame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

const FRAME: Frame = { width: 1100, height: 340, left: 72, right: 20, top: 16, bottom: 52 };

function axes(f: Frame, xTicks: { at: number; label: string }[], yTicks: number[], yMax: number, xLabel: string, yLabel: string): string {
  const plotH = f.height - f.top - f.bottom;
  const y = (v: number) => f.top + plotH - (v / yMax) * plotH;
  const parts: string[] = [];
  for (const t of yTicks) {
    parts.push(`<line x1="${f.left}" x2="${f.width - f.right}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" class="grid"/>`);
    parts.push(`<text x="${f.left - 8}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end" class="tick">${esc(fmt(t))}</text>`);
  }
  for (const t of xTicks) {
    parts.push(`<line x1="${t.at.toFixed(1)}" x2="${t.at.toFixed(1)}" y1="${f.height - f.bottom}" y2="${f.height - f.bottom + 5}" class="axis"/>`);
    parts.push(`<text x="${t.at.toFixed(1)}" y="${f.height - f.bottom + 19}" text-anchor="middle" class="tick">${esc(t.label)}</text>`);
  }
  parts.push(`<line x1="${f.left}" x2="${f.width - f.right}" y1="${f.height - f.bottom}" y2="${f.height - f.bottom}" class="axis"/>`);
  parts.push(`<line x1="${f.left}" x2="${f.left}" y1="${f.top}" y2="${f.height - f.bottom}" class="axis"/>`);
  parts.push(`<text x="${(f.left + f.width - f.right) / 2}" y="${f.height - 10}" text-anchor="middle" class="label">${esc(xLabel)}</text>`);
  parts.push(`<text transform="translate(16 ${(f.top + f.height - f.bottom) / 2}) rotate(-90)" text-anchor="middle" class="label">${esc(yLabel)}</text>`);
  return parts.join('');
}

function svg(f: Frame, body: string, title: string): string {
  return `<svg viewBox="0 0 ${f.width} ${f.height}" width="100%" role="img" aria-label="${esc(title)}" xmlns="http://www.w3.org/2000/svg">${body}</svg>`;
}

export interface LineSeries {
  name: string;
  color: string;
  values: number[];
  dashed?: boolean;
}

/** Rates over time: one polyline per series, x in ms since time zero (bins start at `t`). */
export function lineChart(opts: { title: string; t: number[]; binMs: number; series: LineSeries[]; xLabel: string; yLabel: string }): string {
  const f = FRAME;
  const plotW = f.width - f.left - f.right;
  const plotH = f.height - f.top - f.bottom;
  const spanMs = (opts.t.length || 1) * opts.binMs;
  const yMax = Math.max(1, ...opts.series.map((s) => maxOf(s.values)));
  const yTicks = niceTicks(yMax, 5);
  const top = yTicks[yTicks.length - 1]!;
  const x = (ms: number) => f.left + (ms / spanMs) * plotW;
  const y = (v: number) => f.top + plotH - (v / top) * plotH;
  const secTicks = niceTicks(spanMs / 1000, 10).filter((s) => s * 1000 <= spanMs + 1e-6);
  const xTicks = secTicks.map((s) => ({ at: x(s * 1000), label: `${fmt(s)} s` }));
  const lines = opts.series.map((s) => {
    // Each bin is drawn as a flat step across its width: a rate belongs to an interval, not an instant.
    const pts: string[] = [];
    s.values.forEach((v, i) => {
      pts.push(`${x(opts.t[i]!).toFixed(1)},${y(v).toFixed(1)}`, `${x(opts.t[i]! + opts.binMs).toFixed(1)},${y(v).toFixed(1)}`);
    });
    return `<polyline fill="none" stroke="${s.color}" stroke-width="2" ${s.dashed ? 'stroke-dasharray="5 4"' : ''} points="${pts.join(' ')}"><title>${esc(s.name)}</title></polyline>`;
  });
  return svg(f, axes(f, xTicks, yTicks, top, opts.xLabel, opts.yLabel) + lines.join(''), opts.title);
}

export interface BarGroup {
  name: string;
  color: string;
  counts: number[];
}

/** A histogram: stacked bars per bucket, bucket i covering [edges[i], edges[i] + width). */
export function barChart(opts: { title: string; edges: number[]; width: number; groups: BarGroup[]; xLabel: string; yLabel: string; unit: string }): string {
  const f = FRAME;
  const plotW = f.width - f.left - f.right;
  const plotH = f.height - f.top - f.bottom;
  const n = opts.edges.length;
  if (n === 0) return `<p class="empty">No data.</p>`;
  const totals = opts.edges.map((_, i) => opts.groups.reduce((a, g) => a + (g.counts[i] ?? 0), 0));
  const yTicks = niceTicks(Math.max(1, maxOf(totals)), 5);
  const top = yTicks[yTicks.length - 1]!;
  const slot = plotW / n;
  const gap = Math.min(2, slot * 0.15);
  const y = (v: number) => f.top + plotH - (v / top) * plotH;
  const bars: string[] = [];
  opts.edges.forEach((from, i) => {
    let base = 0;
    for (const g of opts.groups) {
      const c = g.counts[i] ?? 0;
      if (c === 0) continue;
      const y0 = y(base);
      const y1 = y(base + c);
      bars.push(
        `<rect x="${(f.left + i * slot + gap / 2).toFixed(1)}" y="${y1.toFixed(1)}" width="${Math.max(0.5, slot - gap).toFixed(1)}" height="${Math.max(0.5, y0 - y1).toFixed(1)}" fill="${g.color}">` +
          `<title>${esc(`${g.name}: ${fmt(c)} in ${fmt(from)}–${fmt(from + opts.width)} ${opts.unit}`)}</title></rect>`,
      );
      base += c;
    }
  });
  // Label about ten bucket edges, whatever the bucket count.
  const every = Math.max(1, Math.ceil(n / 10));
  const xTicks = opts.edges
    .map((e, i) => ({ e, i }))
    .filter(({ i }) => i % every === 0)
    .map(({ e, i }) => ({ at: f.left + i * slot, label: fmt(e) }));
  xTicks.push({ at: f.left + n * slot, label: fmt(opts.edges[n - 1]! + opts.width) });
  return svg(f, axes(f, xTicks, yTicks, top, opts.xLabel, opts.yLabel) + bars.join(''), opts.title);
}

export function legend(items: { name: string; color: string; note?: string; dashed?: boolean }[]): string {
  return `<div class="legend">${items
    .map((i) => `<span><i style="background:${i.color}${i.dashed ? ';opacity:.6' : ''}"></i>${esc(i.name)}${i.note ? ` <em>${esc(i.note)}</em>` : ''}</span>`)
    .join('')}</div>`;
}
