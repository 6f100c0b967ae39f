import { esc, fmt } from './charts';
import { describeEta, describeSettings, perSec, pct, ratio } from './room-summary';
import type { Percentiles } from './stats';
import type { Figures } from './summary';
import { ms } from './text-format';
import type { Check } from './verify';

/** The waiting room's section of the HTML report (the printed lines are room-summary.ts). */

const h = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '–');
const card = (value: string, label: string) => `<div class="card"><b>${esc(value)}</b><span>${esc(label)}</span></div>`;
const checkRows = (cs: readonly Check[]) => cs.map((c) => `<tr><td class="${c.ok ? 'ok' : 'bad'}">${c.ok ? 'ok' : 'FAIL'}</td><td>${esc(c.name)}</td><td>${esc(c.detail)}</td></tr>`).join('\n');

/** The report's waiting-room section: the comparison first, then waits, ETA accuracy and the answers. */
export function renderRoomSection(f: Figures): string {
  const x = f.room!;
  const p = x.peak;
  const b = f.baseline;
  const pRow = (name: string, q: Percentiles) => `<tr><td>${esc(name)}</td>${[q.count, q.p50, q.p90, q.p99, q.max].map((v, i) => `<td class="num">${esc(i === 0 ? h(v) : fmt(v))}</td>`).join('')}</tr>`;
  return `
<h2>Waiting room</h2>
<p class="sub">${esc(describeSettings(x))}. ${b ? 'The same shoppers bought the same stock twice, a fresh item each time: first without the room, then with it; the rest of this report is the run with the room (its orders; shoppers who never got past the room are counted here).' : 'Run without the comparison (--no-baseline).'}</p>
<div class="cards">
${card(perSec(p.withRoom), `order-api peak with the room (busiest 1 s, every request)`)}
${card(perSec(p.withoutRoom), 'order-api peak without the room')}
${card(ratio(p.ratio), 'peak with / without')}
${card(`${ms(x.waits.p50)} ms`, `join → admitted, p50 (p99 ${ms(x.waits.p99)} ms)`)}
${card(`${ms(x.eta.medianAbsErrorMs)} ms`, `ETA error, median (p90 ${ms(x.eta.p90AbsErrorMs)} ms)`)}
${card(pct(x.eta.withinShare), `admitted within ±${Math.round(x.eta.tolerance * 100)} % of the promised wait`)}
${card(h(x.answers.byKind.CLOSED), 'told the room closed')}
${card(h(x.answers.byKind.NONE), 'shoppers without a final answer')}
</div>
<div class="two" style="margin-top: 16px">
<div>
<table><tr><th>order-api, busiest 1 s</th><th class="num">without room</th><th class="num">with room</th></tr>
<tr><td>every request the shoppers sent (joins, room and outcome polls, orders, retries)</td><td class="num">${esc(perSec(p.withoutRoom))}</td><td class="num">${esc(perSec(p.withRoom))}</td></tr>
<tr><td>order POSTs alone</td><td class="num">${esc(perSec(p.ordersWithoutRoom))}</td><td class="num">${esc(perSec(p.ordersWithRoom))}</td></tr>
<tr><td>requests in the whole sale</td><td class="num">${p.withoutRoom ? h(p.withoutRoom.total) : '–'}</td><td class="num">${h(p.withRoom.total)}</td></tr>
</table>
<h2>Final answers</h2>
<table><tr><th>answer</th><th class="num">shoppers</th></tr>
${x.answers.labels.map(([k, v]) => `<tr><td>${esc(k)}</td><td class="num">${h(v)}</td></tr>`).join('\n')}
${x.answers.none.map(([k, v]) => `<tr><td class="bad">none: ${esc(k)}</td><td class="num bad">${h(v)}</td></tr>`).join('\n')}
</table>
</div>
<div>
<table><tr><th>waits (ms)</th><th class="num">n</th><th class="num">p50</th><th class="num">p90</th><th class="num">p99</th><th class="num">max</th></tr>
${pRow('join → ticket', x.joinToTicket)}
${pRow('join → admitted', x.waits)}
${pRow('admitted → outcome', x.admittedToOutcome)}
</table>
<p class="sub">ETA at join: ${esc(describeEta(x))}.</p>
<table>
<tr><td>joined (before the start)</td><td class="num">${h(x.joins.joined)} (${h(x.joins.answeredBeforeStart)})</td></tr>
<tr><td>admitted: on the socket / by polling / at the join</td><td class="num">${h(x.admission.admitted)}: ${h(x.admission.byPush)} / ${h(x.admission.byPoll)} / ${h(x.admission.atJoin)}</td></tr>
<tr><td>room sockets failed / dropped; polls</td><td class="num">${h(x.admission.socketsFailed)} / ${h(x.admission.socketsDropped)}; ${h(x.admission.polls)}</td></tr>
<tr><td>position frames</td><td class="num">${h(x.admission.positionFrames)}</td></tr>
</table>
</div>
</div>
${
  b
    ? `<h2>The run without the room</h2>
<p class="sub">${h(b.requests.total)} shoppers, ${h(b.requests.accepted)} accepted, ${h(b.outcomes.success)} SUCCESS; first request → last answer ${esc(fmt(b.requests.answerSpanMs))} ms, click → pushed outcome p50 ${esc(fmt(b.latency.clickToPushedOutcome.p50))} ms (p99 ${esc(fmt(b.latency.clickToPushedOutcome.p99))} ms); item #${h(b.run.itemId)}. Its full figures are under <code>baseline</code> in the JSON.</p>
<table><tr><th></th><th>check</th><th>what was compared</th></tr>
${checkRows(b.invariants)}
</table>`
    : ''
}`;
}
