import type { RequestRecord } from './protocol';

/** A shopper's last word from the sale: an outcome, the room closing, a refusal with its code, or none yet. */
export type AnswerKind = 'SUCCESS' | 'FAIL' | 'CLOSED' | 'REFUSED' | 'NONE';

export interface FinalAnswer {
  kind: AnswerKind;
  /** What exactly: `CLOSED SOLD_OUT`, `order 409 SOLD_OUT`, `join 403 SALE_ENDED`, or where a shopper was left. */
  label: string;
}

const asksAgain = (status: number | undefined, code: string | undefined) => (status === 503 && code === 'TRY_AGAIN') || status === 429;

/**
 * The final answer of one shopper of the waiting room's sale, pure. A 503 TRY_AGAIN or a 429 is not final (it
 * says "ask again"), nor is an accepted order without its outcome, nor a shopper still waiting when the run
 * stopped: those are NONE, labelled with where the shopper was left.
 */
export function finalAnswer(r: RequestRecord): FinalAnswer {
  if (r.outcome) return { kind: r.outcome.status === 'SUCCESS' ? 'SUCCESS' : 'FAIL', label: r.outcome.status === 'SUCCESS' ? 'SUCCESS' : `FAIL ${r.outcome.reason ?? '?'}` };
  if (r.status === 202) return { kind: 'NONE', label: 'accepted, no outcome' };
  if (r.status !== undefined) {
    return asksAgain(r.status, r.code) ? { kind: 'NONE', label: `order gave up on ${r.status} ${r.code ?? ''}`.trim() } : { kind: 'REFUSED', label: `order ${r.status} ${r.code ?? ''}`.trim() };
  }
  if (r.error !== undefined) return { kind: 'NONE', label: `order failed (${r.error}), outcome unknown` };
  const room = r.room;
  if (!room) return { kind: 'NONE', label: 'never joined' };
  if (room.closed) return { kind: 'CLOSED', label: `CLOSED ${room.closed.reason}` };
  if (room.admittedAt !== undefined) return { kind: 'NONE', label: r.sentAt !== undefined ? 'order unanswered' : 'admitted, order not sent' };
  if (room.joinError !== undefined) return { kind: 'NONE', label: `join failed (${room.joinError})` };
  if (room.joinStatus !== undefined && room.joinStatus !== 200) {
    return asksAgain(room.joinStatus, room.joinCode)
      ? { kind: 'NONE', label: `join gave up on ${room.joinStatus} ${room.joinCode ?? ''}`.trim() }
      : { kind: 'REFUSED', label: `join ${room.joinStatus} ${room.joinCode ?? ''}`.trim() };
  }
  if (room.joined !== undefined) return { kind: 'NONE', label: 'still waiting in the room' };
  return { kind: 'NONE', label: room.joinSentAt !== undefined ? 'join unanswered' : 'never joined' };
}
