import { barChart, esc, fmt, legend, lineChart } from './charts';
import type { Percentiles } from './stats';
import { renderRoomSection } from './room-report';
import { describeRetries, type Figures } from './summary';

const COLOR: Record<string, string> = {
  sent: '#9aa0a6',
  answered: '#6e40c9',
  '202 accepted': '#2e7d32',
  '409 sold out': '#ef6c00',
  'other answers': '#c62828',
  other: '#c62828',
  'outcomes pushed': '#1565c0',
  'click → pushed outcome': '#1565c0',
};

const CSS = `
:root { color-scheme: light; --fg:#1f2328; --muted:#59636e; --line:#d1d9e0; --ok:#1a7f37; --bad:#cf222e; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); margin: 0; background: #f6f8fa; }
main { max-width: 1160px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 32px 0 8px; }
.sub { color: var(--muted); margin: 0 0 4px; }
code { font: 13px ui-monospace, SFMono-Regular, Menlo, monospace; background: #eaeef2; padding: 1px 5px; border-radius: 4px; }
.verdict { display: inline-block; font-weight: 700; padding: 4px 12px; border-radius: 6px; color: #fff; margin: 10px 0 4px; }
.verdict.ok { background: var(--ok); } .verdict.bad { background: var(--bad); }
.cards { display: grid; grid-template-columns: repeat(4, 1fr); gap: 12px; margin-top: 16px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
.card b { display: block; font-size: 24px; font-variant-numeric: tabular-nums; white-space: nowrap; }
.card span { color: var(--muted); font-size: 13px; }
section.chart, table { background: #fff; border: 1px solid var(--line); border-radius: 8px; }
section.chart { padding: 12px 14px 6px; }
.chart p { margin: 0 0 6px; color: var(--muted); font-size: 13px; }
table { border-collapse: separate; border-spacing: 0; width: 100%; }
th, td { text-align: left; padding: 7px 12px; border-bottom: 1px solid var(--line); vertical-align: top; }
tr:last-child td { border-bottom: 0; }
th { font-size: 13px; color: var(--muted); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.ok { color: var(--ok); font-weight: 700; } td.bad { color: var(--bad); font-weight: 700; }
.two { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
.legend { display: flex; flex-wrap: wrap; gap: 16px; font-size: 13px; margin: 4px 0 8px; }
.legend i { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 6px; vertical-align: -1px; }
.legend em { color: var(--muted); font-style: normal; }
svg .grid { stroke: #eef1f4; } svg .axis { stroke: #8c959f; }
svg .tick { font-size: 12px; fill: #59636e; } svg .label { font-size: 13px; fill: #1f2328; }
.empty { color: var(--muted); }
`;

const n = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '–');
const ms = (x: number) => (Number.isFinite(x) ? `${fmt(x)} ms` : '–');

function card(value: string, label: string): string {
  return `<div class="card"><b>${esc(value)}</b><span>${esc(label)}</span></div>`;
}

function percentileRow(name: string, p: Percentiles): string {
  return `<tr><td>${esc(name)}</td><td class="num">${n(p.count)}</td>${[p.p50, p.p90, p.p99, p.max, p.mean].map((v) => `<td class="num">${esc(fmt(v))}</td>`).join('')}</tr>`;
}

/** The whole report as one HTML document: inline CSS and SVG, no script, nothing fetched. */
export function renderHtmlReport(f: Figures): string {
  const r = f.run;
  const pattern = f.room ? 'through a waiting room' : r.pattern === 'ramp' ? `ramp over ${r.rampSeconds} s` : 'burst (all at once)';
  const title = `Flash-sale load test: ${n(r.shoppers)} shoppers, ${n(r.stock)} units`;
  const tp = f.charts.throughput;
  const lineSeries = tp.series.map((s) => ({ name: s.name, color: COLOR[s.name] ?? '#6e7781', values: s.perSecond }));
  const cu = f.charts.cumulative;
  const cumulativeSeries = cu.series.map((s) => ({ name: s.name, color: COLOR[s.name] ?? '#6e7781', values: s.total, dashed: s.name === 'sent' }));
  // The charts count every POST and every answer, retries included.
  const totals: Record<string, number> = {
    sent: f.requests.posts,
    answered: f.requests.responses,
    '202 accepted': f.requests.accepted,
    '409 sold out': f.requests.soldOut,
    'other answers': f.requests.responses - f.requests.accepted - f.requests.soldOut,
    'outcomes pushed': f.outcomes.pushed,
  };
  const ol = f.charts.outcomeLatency;
  const hl = f.charts.httpLatency;
  const lat = f.latency;

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title><style>${CSS}</style></head>
<body><main>
<h1>${esc(title)}</h1>
<p class="sub">${esc(pattern)} · ${esc(r.system)} · started ${esc(r.startedAt)}</p>
<p class="sub"><code>${esc(r.command)}</code></p>
<div class="verdict ${f.ok ? 'ok' : 'bad'}">${f.ok ? 'PASS: every invariant holds' : r.interrupted ? 'FAIL: interrupted' : r.timedOut ? 'FAIL: timed out' : 'FAIL: an invariant does not hold'}</div>
${f.room ? `${renderRoomSection(f)}\n<h2>The orders of the run with the room</h2>` : ''}

<div class="cards">
${card(`${n(f.rates.acceptedPerSec)}/s`, `accepted (202): ${n(f.requests.accepted)}`)}
${card(`${n(f.rates.soldOutPerSec)}/s`, `sold-out rejections (409): ${n(f.requests.soldOut)}`)}
${card(n(f.outcomes.success), `sold (SUCCESS outcomes) of ${n(r.stock)}`)}
${card(`${n(f.outcomes.pushed)} / ${n(f.outcomes.expected)}`, `outcomes pushed / accepted${f.outcomes.polled ? ` (+${n(f.outcomes.polled)} polled)` : ''}`)}
${card(ms(lat.clickToPushedOutcome.p50), `click → pushed outcome, p50 (p99 ${ms(lat.clickToPushedOutcome.p99)})`)}
${card(ms(lat.httpAll.p99), `HTTP answer, p99 (p50 ${ms(lat.httpAll.p50)})`)}
${card(n(f.requests.maxInFlight), 'requests in flight at once, max')}
${card(ms(f.outcomes.lastOutcomeMs), 'first request → last outcome')}
</div>

<h2>Invariants</h2>
<table><tr><th></th><th>check</th><th>what was compared</th></tr>
${f.invariants.map((c) => `<tr><td class="${c.ok ? 'ok' : 'bad'}">${c.ok ? 'ok' : 'FAIL'}</td><td>${esc(c.name)}</td><td>${esc(c.detail)}</td></tr>`).join('\n')}
${f.invariants.length === 0 ? '<tr><td class="bad">–</td><td colspan="2">not checked</td></tr>' : ''}
</table>

<h2>Throughput over time</h2>
<section class="chart">
<p>Answers per second by status, and outcomes pushed on the sockets per second, in ${esc(fmt(tp.binMs))} ms bins from the first request.</p>
${legend(lineSeries.map((s) => ({ name: s.name, color: s.color, note: n(totals[s.name] ?? 0) })))}
${lineChart({ title: 'throughput over time', t: tp.t, binMs: tp.binMs, series: lineSeries, xLabel: 'time since the first request', yLabel: 'per second' })}
</section>

<h2>Progress over time</h2>
<section class="chart">
<p>Running totals: requests on the wire (dashed), answered, accepted, and outcomes pushed. The gap between sent and answered is the queue in front of order-api.</p>
${legend(cumulativeSeries.map((s) => ({ name: s.name, color: s.color, note: n(totals[s.name] ?? 0), dashed: s.dashed })))}
${lineChart({ title: 'running totals over time', t: cu.t, binMs: cu.binMs, series: cumulativeSeries, xLabel: 'time since the first request', yLabel: 'requests' })}
</section>

<h2>Click → pushed outcome</h2>
<section class="chart">
<p>From the moment a shopper's first POST went onto its connection (retries after a 503 included) to the moment its <code>order.result</code> frame arrived on the shopper's WebSocket
(${n(lat.clickToPushedOutcome.count)} outcomes; buckets of ${esc(fmt(ol.width))} ms${ol.groups[0]?.overflow ? `; ${n(ol.groups[0].overflow)} at or above ${esc(fmt(ol.overflowFrom))} ms not drawn` : ''}).</p>
${barChart({ title: 'click to pushed outcome latency', edges: ol.edges, width: ol.width, groups: ol.groups.map((g) => ({ ...g, color: COLOR[g.name] ?? '#1565c0' })), xLabel: 'milliseconds', yLabel: 'outcomes', unit: 'ms' })}
</section>

<h2>HTTP answer latency</h2>
<section class="chart">
<p>From the POST going onto its connection to its complete answer, stacked by status (buckets of ${esc(fmt(hl.width))} ms${hl.groups.some((g) => g.overflow) ? `; ${n(hl.groups.reduce((a, g) => a + g.overflow, 0))} at or above ${esc(fmt(hl.overflowFrom))} ms not drawn` : ''}).</p>
${legend(hl.groups.filter((g) => g.counts.some((c) => c > 0) || g.overflow).map((g) => ({ name: g.name, color: COLOR[g.name] ?? '#6e7781' })))}
${barChart({ title: 'HTTP latency', edges: hl.edges, width: hl.width, groups: hl.groups.map((g) => ({ ...g, color: COLOR[g.name] ?? '#6e7781' })), xLabel: 'milliseconds', yLabel: 'requests', unit: 'ms' })}
</section>

<h2>Latency percentiles (ms)</h2>
<table><tr><th></th><th class="num">n</th><th class="num">p50</th><th class="num">p90</th><th class="num">p99</th><th class="num">max</th><th class="num">mean</th></tr>
${percentileRow('click → pushed outcome', lat.clickToPushedOutcome)}
${percentileRow('HTTP, every answer', lat.httpAll)}
${percentileRow('HTTP, 202 accepted', lat.httpAccepted)}
${percentileRow('HTTP, 409 sold out', lat.httpSoldOut)}
${lat.httpTryAgain.count ? percentileRow('HTTP, 503 try again', lat.httpTryAgain) : ''}
${lat.clientQueue ? percentileRow('wait for a pooled connection', lat.clientQueue) : ''}
</table>

<div class="two">
<div>
<h2>Responses</h2>
<table><tr><th>answer</th><th class="num">count</th></tr>
${f.requests.byStatus.map(([k, v]) => `<tr><td>${esc(k)}</td><td class="num">${n(v)}</td></tr>`).join('\n')}
</table>
<h2>Retries</h2>
<p class="sub">${esc(describeRetries(f))}</p>
<table>
<tr><td>503 TRY_AGAIN answers retried (same requestId)</td><td class="num">${n(f.retries.retried)}</td></tr>
<tr><td>shoppers who retried</td><td class="num">${n(f.retries.shoppers)}</td></tr>
<tr><td>of them, got a final answer</td><td class="num">${n(f.retries.settled)}</td></tr>
<tr><td>gave up on 503 TRY_AGAIN (out of retries / out of time)</td><td class="num${f.retries.gaveUp ? ' bad' : ''}">${n(f.retries.gaveUp)} (${n(f.retries.gaveUpOutOfRetries)} / ${n(f.retries.gaveUpOutOfTime)})</td></tr>
${f.retries.attemptsPerShopper.map(([k, v]) => `<tr><td>shoppers with ${esc(k)} attempt${k === '1' ? '' : 's'}</td><td class="num">${n(v)}</td></tr>`).join('\n')}
</table>
<h2>Outcomes</h2>
<table>
<tr><td>pushed on the socket</td><td class="num">${n(f.outcomes.pushed)}</td></tr>
<tr><td>polled after the socket dropped</td><td class="num">${n(f.outcomes.polled)}</td></tr>
<tr><td>missing</td><td class="num">${n(f.outcomes.missing)}</td></tr>
<tr><td>SUCCESS</td><td class="num">${n(f.outcomes.success)}</td></tr>
<tr><td>FAIL</td><td class="num">${n(f.outcomes.fail)}${f.outcomes.failReasons.length ? ` (${esc(f.outcomes.failReasons.map(([k, v]) => `${k} ${v}`).join(', '))})` : ''}</td></tr>
<tr><td>sockets dropped before their outcome</td><td class="num">${n(f.outcomes.socketsDropped)}</td></tr>
</table>
</div>
<div>
<h2>Run</h2>
<table>
<tr><td>system</td><td>${esc(r.system)}</td></tr>
<tr><td>arrival</td><td>${esc(pattern)}; all ${n(f.requests.sent)} sent within ${esc(ms(f.requests.sendSpanMs))}; first answer after ${esc(ms(f.requests.firstAnswerMs))}, last after ${esc(ms(f.requests.answerSpanMs))}</td></tr>
<tr><td>client side</td><td>${n(r.clientProcesses)} processes; HTTP connections: ${esc(r.httpConnections)}; after a 503 TRY_AGAIN up to ${n(r.retries)} retries</td></tr>
<tr><td>sale item</td><td>#${n(r.itemId)}</td></tr>
<tr><td>preparation</td><td>${f.preparation.systemStartMs !== undefined ? `system up ${esc(ms(f.preparation.systemStartMs))}; ` : ''}sale and shoppers ${esc(ms(f.preparation.saleAndShoppersMs))}; ${n(f.preparation.socketsOpen)} sockets and ${n(f.preparation.connectionsOpen)} connections opened in ${esc(ms(f.preparation.socketsMs))}${f.preparation.socketsFailed ? `, ${n(f.preparation.socketsFailed)} sockets failed` : ''}</td></tr>
<tr><td>host</td><td>${n(r.host.cpus)} CPUs, Node ${esc(r.host.node)}, ${esc(r.host.platform)}, open-file limit ${n(r.host.openFileLimit)}; the load generator shares the machine with the system under test</td></tr>
${r.timedOut ? `<tr><td>${r.interrupted ? 'interrupted' : 'timed out'}</td><td class="bad">yes${r.lostClients ? `; ${n(r.lostClients)} client processes lost` : ''}</td></tr>` : ''}
</table>
</div>
</div>
</main></body></html>
`;
}
