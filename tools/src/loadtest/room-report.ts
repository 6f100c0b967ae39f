import { esc, fmt } from './charts';
import type { RoomFigures } from './room-figures';
import type { Peak } from './room-stats';
import type { Percentiles } from './stats';
import type { Figures } from './summary';
import type { Check } from './verify';

/** The waiting room's figures as printed after a `--room` run and as a section of its HTML report. */

const int = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '–');
const ms = (x: number) => (Number.isFinite(x) ? (x < 10 ? x.toFixed(1) : Math.round(x).toLocaleString('en-US')) : '–');
const pct = (x: number) => (Number.isFinite(x) ? `${Math.round(x * 100)} %` : '–');
const ratio = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? x.toFixed(2) : '–');

function table(rows: string[][], align: ('l' | 'r')[]): string[] {
  const widths = align.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => (align[i] === 'r' ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd());
}

const perSec = (p: Peak | undefined) => (p ? `${int(p.count)}/s` : '–');

export function describeSettings(x: RoomFigures): string {
  const s = x.settings;
  return (
    `${int(s.admitPerSecond)}/s, pre-queue ${s.preQueueSeconds} s, joins ${s.joinSeconds > 0 ? `spread over ${s.joinSeconds} s` : 'all at once'}; ` +
    `the sale started ${ms(s.startAfterFirstJoinMs)} ms after the first join`
  );
}

export function describeAnswers(x: RoomFigures): string {
  const k = x.answers.byKind;
  const refused = x.answers.labels.filter(([l]) => l.startsWith('order ') || l.startsWith('join '));
  return (
    `${int(k.SUCCESS)} SUCCESS, ${int(k.FAIL)} FAIL, ${int(k.CLOSED)} CLOSED, ${int(k.REFUSED)} refused` +
    (refused.length ? ` (${refused.map(([l, c]) => `${l} ${int(c)}`).join(', ')})` : '') +
    (k.NONE ? `; ${int(k.NONE)} WITHOUT AN ANSWER (${x.answers.none.map(([l, c]) => `${l} ${int(c)}`).join(', ')})` : '; none left without an answer')
  );
}

export function describeEta(x: RoomFigures): string {
  const e = x.eta;
  if (e.count === 0) return `no promise to compare (${int(e.promised)} WAITING tickets with an ETA, none admitted)`;
  const late = e.medianSignedErrorMs >= 0 ? 'later' : 'earlier';
  return (
    `${int(e.count)} of ${int(e.promised)} promised waits ended in an admission: |actual − predicted| median ${ms(e.medianAbsErrorMs)} ms, ` +
    `p90 ${ms(e.p90AbsErrorMs)} ms; ${pct(e.withinShare)} within ±${Math.round(e.tolerance * 100)} % of the promised wait ` +
    `(median ${ms(Math.abs(e.medianSignedErrorMs))} ms ${late} than promised)`
  );
}

/** The lines the summary prints for the room, between the run's figures and its invariants. */
export function formatRoomSummary(x: RoomFigures): string[] {
  const p = x.peak;
  const a = x.admission;
  const j = x.joins;
  const row = (name: string, q: Percentiles) => [`  ${name}`, int(q.count), ms(q.p50), ms(q.p90), ms(q.p99), ms(q.max)];
  return [
    `waiting room  ${describeSettings(x)}`,
    '',
    ...table(
      [
        ['order-api peak (busiest 1 s)', 'without room', 'with room', 'with / without'],
        ['  every request (room calls, polls)', perSec(p.withoutRoom), perSec(p.withRoom), ratio(p.ratio)],
        ['  order POSTs', perSec(p.ordersWithoutRoom), perSec(p.ordersWithRoom), p.ordersWithoutRoom?.count ? ratio(p.ordersWithRoom.count / p.ordersWithoutRoom.count) : '–'],
        ['  requests in the whole sale', p.withoutRoom ? int(p.withoutRoom.total) : '–', int(p.withRoom.total), ''],
      ],
      ['l', 'r', 'r', 'r'],
    ),
    '',
    `joins         ${int(j.joined)} of ${int(j.shoppers)} got a ticket (${int(j.answeredBeforeStart)} before the start)${j.retried ? `, ${int(j.retried)} joined again after 503/429` : ''}`,
    `admitted      ${int(a.admitted)}: ${int(a.byPush)} on the room socket, ${int(a.byPoll)} by polling, ${int(a.atJoin)} at the join` +
      `; room sockets ${int(a.socketsFailed)} failed, ${int(a.socketsDropped)} dropped; ${int(a.polls)} polls, ${int(a.positionFrames)} position frames`,
    `final answers ${describeAnswers(x)}`,
    '',
    ...table(
      [['waits (ms)', 'n', 'p50', 'p90', 'p99', 'max'], row('join → ticket', x.joinToTicket), row('join → admitted', x.waits), row('admitted → outcome', x.admittedToOutcome)],
      ['l', 'r', 'r', 'r', 'r', 'r'],
    ),
    '',
    `ETA at join   ${describeEta(x)}`,
  ];
}

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
