import { firstSentAt, type RequestRecord } from './protocol';
import { finalAnswer, type AnswerKind } from './room-answers';
import { etaAccuracy, peakRate, type EtaAccuracy, type Peak } from './room-stats';
import { minOf, percentiles, tally, type Percentiles } from './stats';
import type { Check } from './verify';

/** What the waiting room did in the run with it, beside the same sale without it. */
export interface RoomFigures {
  settings: { admitPerSecond: number; preQueueSeconds: number; joinSeconds: number; startTime: string; startAfterFirstJoinMs: number };
  /** order-api's busiest second, every request the shoppers sent it (room calls and polls included); orders alone. */
  peak: { withRoom: Peak; withoutRoom?: Peak; ratio?: number; ordersWithRoom: Peak; ordersWithoutRoom?: Peak };
  joins: { shoppers: number; joined: number; answeredBeforeStart: number; admittedAtJoin: number; retried: number };
  /** Every shopper's final answer by kind, the exact answers, and where the shoppers without one were left. */
  answers: { byKind: Record<AnswerKind, number>; labels: [string, number][]; none: [string, number][] };
  admission: { admitted: number; byPush: number; byPoll: number; atJoin: number; socketsFailed: number; socketsDropped: number; polls: number; positionFrames: number };
  /** Join on the wire → its ticket read (the join's HTTP latency, retries included), per shopper with a ticket. */
  joinToTicket: Percentiles;
  /** Join on the wire → admission read, per admitted shopper. */
  waits: Percentiles;
  /** Over the shoppers told WAITING with an ETA and then admitted; `promised` counts every such promise. */
  eta: EtaAccuracy & { promised: number };
  /** Admission → outcome read (pushed or polled), per shopper who got one. */
  admittedToOutcome: Percentiles;
}

export interface RoomRunInput {
  records: readonly RequestRecord[];
  /** Every request to order-api of the run with the room, and of the run without it (when there was one). */
  apiSends: readonly number[];
  baseline?: { records: readonly RequestRecord[]; apiSends: readonly number[] };
  settings: { admitPerSecond: number; preQueueSeconds: number; joinSeconds: number; startTime: number };
}

/** When each order attempt (retries included) went on the wire. */
export function orderSends(records: readonly RequestRecord[]): number[] {
  return records.flatMap((r) => [...(r.retried ?? []).map((x) => x.sentAt), r.sentAt]).filter((t): t is number => t !== undefined);
}

const peakOf = (times: readonly number[]) => peakRate(times, times.length ? minOf(times) : 0);

export function computeRoomFigures(input: RoomRunInput): RoomFigures {
  const { records, settings } = input;
  const rooms = records.map((r) => r.room).filter((x) => x !== undefined);
  const t0 = input.apiSends.length ? minOf(input.apiSends) : 0;
  const withRoom = peakRate(input.apiSends, t0);
  const withoutRoom = input.baseline ? peakOf(input.baseline.apiSends) : undefined;
  const answers = records.map(finalAnswer);
  const byKind: Record<AnswerKind, number> = { SUCCESS: 0, FAIL: 0, CLOSED: 0, REFUSED: 0, NONE: 0 };
  for (const a of answers) byKind[a.kind]++;
  const admitted = records.filter((r) => r.room?.admittedAt !== undefined);
  const waits = admitted.filter((r) => r.room!.joinSentAt !== undefined).map((r) => r.room!.admittedAt! - r.room!.joinSentAt!);
  const promised = records.filter((r) => r.room?.joined === 'WAITING' && r.room.etaSeconds !== undefined && r.room.joinAnsweredAt !== undefined);
  const kept = promised.filter((r) => r.room!.admittedAt !== undefined);
  const outcomeAfter = admitted.filter((r) => r.outcome).map((r) => r.outcome!.at - r.room!.admittedAt!);
  return {
    settings: {
      admitPerSecond: settings.admitPerSecond,
      preQueueSeconds: settings.preQueueSeconds,
      joinSeconds: settings.joinSeconds,
      startTime: new Date(settings.startTime).toISOString(),
      startAfterFirstJoinMs: settings.startTime - t0,
    },
    peak: {
      withRoom,
      ...(withoutRoom ? { withoutRoom, ratio: withoutRoom.count > 0 ? withRoom.count / withoutRoom.count : NaN } : {}),
      ordersWithRoom: peakOf(orderSends(records)),
      ...(input.baseline ? { ordersWithoutRoom: peakOf(orderSends(input.baseline.records)) } : {}),
    },
    joins: {
      shoppers: records.length,
      joined: rooms.filter((x) => x.joined !== undefined).length,
      answeredBeforeStart: rooms.filter((x) => x.joined !== undefined && x.joinAnsweredAt! < settings.startTime).length,
      admittedAtJoin: rooms.filter((x) => x.via === 'join' && x.admittedAt !== undefined).length,
      retried: rooms.filter((x) => x.joinAttempts > 1).length,
    },
    answers: {
      byKind,
      labels: tally(answers.filter((a) => a.kind !== 'NONE').map((a) => a.label)),
      none: tally(answers.filter((a) => a.kind === 'NONE').map((a) => a.label)),
    },
    admission: {
      admitted: admitted.length,
      byPush: admitted.filter((r) => r.room!.via === 'push').length,
      byPoll: admitted.filter((r) => r.room!.via === 'poll').length,
      atJoin: admitted.filter((r) => r.room!.via === 'join').length,
      socketsFailed: rooms.filter((x) => x.socket === 'failed').length,
      socketsDropped: rooms.filter((x) => x.socket === 'dropped').length,
      polls: rooms.reduce((a, x) => a + x.polls, 0),
      positionFrames: rooms.reduce((a, x) => a + x.positionFrames, 0),
    },
    joinToTicket: percentiles(rooms.filter((x) => x.joined !== undefined && x.joinSentAt !== undefined).map((x) => x.joinAnsweredAt! - x.joinSentAt!)),
    waits: percentiles(waits),
    eta: {
      ...etaAccuracy(kept.map((r) => ({ joinedAt: r.room!.joinAnsweredAt!, etaSeconds: r.room!.etaSeconds!, admittedAt: r.room!.admittedAt! }))),
      promised: promised.length,
    },
    admittedToOutcome: percentiles(outcomeAfter),
  };
}

const n = (x: number) => x.toLocaleString('en-US');

/** The room's own invariants, next to the sale's (verifySale): nobody left hanging, nothing unsold, no token refused. */
export function roomChecks(f: RoomFigures, records: readonly RequestRecord[], stock: number): Check[] {
  const k = f.answers.byKind;
  const total = records.length;
  const refused = f.answers.labels.filter(([l]) => l.startsWith('order ') || l.startsWith('join '));
  const notAdmitted = records.filter((r) => r.room?.admittedAt !== undefined && r.status === 403 && r.code === 'NOT_ADMITTED').length;
  const closedSoldOut = records.filter((r) => r.room?.closed?.reason === 'SOLD_OUT').length;
  return [
    {
      name: 'every shopper got a final answer',
      ok: k.NONE === 0,
      detail:
        `${n(total - k.NONE)} of ${n(total)}: ${n(k.SUCCESS)} SUCCESS, ${n(k.FAIL)} FAIL, ${n(k.CLOSED)} CLOSED, ${n(k.REFUSED)} refused` +
        (refused.length ? ` (${refused.map(([l, c]) => `${l} ${n(c)}`).join(', ')})` : '') +
        (f.answers.none.length ? `; NONE: ${f.answers.none.map(([l, c]) => `${l} ${n(c)}`).join(', ')}` : ''),
    },
    {
      name: total >= stock ? 'the room sold every unit' : 'the room sold what was asked (shoppers below stock)',
      ok: total >= stock ? k.SUCCESS === stock : k.SUCCESS <= stock,
      detail: `${n(k.SUCCESS)} SUCCESS of ${n(stock)} units for ${n(total)} shoppers; ${n(closedSoldOut)} told the room closed SOLD_OUT`,
    },
    {
      name: 'every admitted order was let in (no 403 NOT_ADMITTED)',
      ok: notAdmitted === 0,
      detail: `${n(f.admission.admitted)} admitted, ${n(records.filter((r) => r.room?.admittedAt !== undefined && firstSentAt(r) !== undefined).length)} ordered, ${n(notAdmitted)} refused NOT_ADMITTED`,
    },
  ];
}
