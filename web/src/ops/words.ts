import { ApiError, NETWORK_ERROR } from '../web-common/http.js';

/** Errors of the login form as one sentence. */
export function loginError(error: unknown): string {
  if (!(error instanceof ApiError)) return 'Something went wrong. Please try again.';
  switch (error.code) {
    case 'INVALID_CREDENTIALS':
      return 'Wrong username or password.';
    case 'VALIDATION_FAILED':
      return 'Enter a username and a password.';
    case 'RATE_LIMITED':
      return 'Too many tries. Wait a moment, then try again.';
    case NETWORK_ERROR:
      return 'order-api cannot be reached. Is it running?';
    default:
      return `Login failed: ${error.message}.`;
  }
}

/** Why a poll failed, short enough for the header. */
export function pollError(error: unknown): string {
  if (!(error instanceof ApiError)) return 'unexpected error';
  if (error.code === NETWORK_ERROR) return 'order-api unreachable';
  return `${error.status} ${error.code}`;
}
