import type { RoomFigures } from './room-figures';
import type { Peak } from './room-stats';
import type { Percentiles } from './stats';
import { int, ms, table } from './text-format';

/** The waiting room's figures as printed after a `--room` run (the HTML report's section is room-report.ts). */

export const pct = (x: number) => (Number.isFinite(x) ? `${Math.round(x * 100)} %` : '–');
export const ratio = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? x.toFixed(2) : '–');

export const perSec = (p: Peak | undefined) => (p ? `${int(p.count)}/s` : '–');

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

