import type { RoomClosedReason } from '@seckill/contracts';
import { ApiError, NETWORK_ERROR } from '../web-common/http.js';

/** `data-state` of an outcome panel when an order did not go through (tests and styles key on these). */
export type FailState = 'fail-sold-out' | 'fail-already-ordered' | 'fail-other';

export interface Failure {
  state: FailState;
  title: string;
  detail: string;
  /** The shopper must log in again before anything else can work. */
  loginAgain: boolean;
}

/**
 * A failure in plain words, from a `code` of the HTTP contract or a `reason` of an order result (the two share
 * their names where they mean the same thing). `message` is the server's own text, used only for codes this
 * page does not know yet.
 */
export function describeFailure(code: string, message?: string): Failure {
  const fail = (state: FailState, title: string, detail: string, loginAgain = false): Failure => ({ state, title, detail, loginAgain });
  switch (code) {
    case 'SOLD_OUT':
      return fail('fail-sold-out', 'Sold out', 'Every unit has been taken. Better luck next sale!');
    case 'ALREADY_ORDERED':
      return fail('fail-already-ordered', 'You already ordered this item', 'One per shopper: your order is in “Your orders”.');
    case 'SALE_NOT_STARTED':
      return fail('fail-other', 'Not started yet', 'This sale has not started. Try again when the countdown ends.');
    case 'SALE_ENDED':
      return fail('fail-other', 'The sale has ended', 'This sale is over.');
    case 'RATE_LIMITED':
      return fail('fail-other', 'Too many tries', 'Wait a moment, then try again.');
    case 'TRY_AGAIN':
      return fail('fail-other', 'The shop is very busy', 'Your order was not placed. Please try again.');
    case 'NOT_ADMITTED':
      return fail('fail-other', 'Your turn ran out', 'Your admission to buy was used or expired. Join the line again.');
    case 'ADMISSION_USED':
      return fail('fail-other', 'Your turn has been used', 'Your admission to this sale went to an earlier order: see “Your orders”.');
    case 'NOT_IN_ROOM':
      return fail('fail-other', 'You are not in line', 'Join the waiting room to buy this item.');
    case 'GOOD_NOT_FOUND':
      return fail('fail-other', 'No longer available', 'This item is not on sale any more.');
    case 'UNAUTHORIZED':
    case 'FORBIDDEN':
      return fail('fail-other', 'Please log in again', 'Your session has expired.', true);
    case NETWORK_ERROR:
      return fail('fail-other', 'No connection', 'The shop cannot be reached. Check your connection and try again.');
    case 'INTERNAL':
      return fail('fail-other', 'Something went wrong', 'Your order was not placed. Please try again.');
    default:
      return fail('fail-other', 'Something went wrong', message ? `${message}. Please try again.` : 'Please try again.');
  }
}

export function describeError(error: unknown): Failure {
  if (error instanceof ApiError) return describeFailure(error.code, error.message);
  return describeFailure('INTERNAL');
}

/** Why a waiting room closed, as the card's headline. */
export function roomClosedTitle(reason: RoomClosedReason | undefined): string {
  return reason === 'ENDED' ? 'The sale has ended — the room is closed' : 'Sold out — the room is closed';
}

/** An estimate as people say it: rough on purpose (it is a guess from the admission rate, not a promise). */
export function describeEta(seconds: number): string {
  if (seconds <= 5) return 'any moment now';
  if (seconds < 60) return `about ${Math.ceil(seconds / 5) * 5} seconds`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `about ${minutes} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return `about ${hours} h${rest > 0 ? ` ${rest} min` : ''}`;
}

/** Errors of a form (login, registration) as one sentence. */
export function formError(error: unknown): string {
  if (!(error instanceof ApiError)) return 'Something went wrong. Please try again.';
  switch (error.code) {
    case 'INVALID_CREDENTIALS':
      return 'Wrong username or password.';
    case 'USERNAME_TAKEN':
      return 'That username is taken. Pick another one, or log in.';
    case 'VALIDATION_FAILED':
      return capitalise(error.message);
    case 'RATE_LIMITED':
      return 'Too many tries. Wait a moment, then try again.';
    case NETWORK_ERROR:
      return error.message;
    default:
      return 'Something went wrong. Please try again.';
  }
}

function capitalise(text: string): string {
  const sentence = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(sentence) ? sentence : `${sentence}.`;
}
