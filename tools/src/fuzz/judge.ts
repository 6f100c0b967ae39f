import { ErrorCode } from '@seckill/contracts';

/** What came back for one request (or that nothing did: the connection was reset, timed out, …). */
export interface Outcome {
  status?: number;
  headers?: Record<string, string | string[] | undefined>;
  body?: string;
  /** Set when no response arrived: `ECONNRESET`, `socket hang up`, a timeout. */
  transportError?: string;
}

export type FindingKind = '5xx' | 'connection' | 'error body' | 'accepted';

const KNOWN_CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));

/**
 * Judges one answer against the contract: no 5xx and no dropped connection; every error answer (4xx) is JSON
 * `{statusCode, code, message}` with statusCode equal to the HTTP status and a code from ErrorCode; and a request
 * that had to be refused was not accepted. Returns what is wrong, or undefined.
 */
export function judge(outcome: Outcome, mustRefuse: boolean): { kind: FindingKind; detail: string } | undefined {
  if (outcome.status === undefined) return { kind: 'connection', detail: `no response: ${outcome.transportError ?? 'unknown'}` };
  const status = outcome.status;
  if (status >= 500) return { kind: '5xx', detail: `${status}: ${(outcome.body ?? '').slice(0, 300)}` };
  if (status >= 400) {
    const problem = errorBodyProblem(status, outcome.body ?? '');
    return problem ? { kind: 'error body', detail: `${status}: ${problem}` } : undefined;
  }
  if (mustRefuse && status < 400) return { kind: 'accepted', detail: `${status} for a request that must be refused: ${(outcome.body ?? '').slice(0, 200)}` };
  return undefined;
}

/** Why an error answer's body is not the contract's `{statusCode, code, message}`; undefined when it is. */
export function errorBodyProblem(status: number, text: string): string | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return `body is not JSON: ${JSON.stringify(text.slice(0, 120))}`;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return `body is not an object: ${text.slice(0, 120)}`;
  const b = body as Record<string, unknown>;
  if (b.statusCode !== status) return `statusCode ${JSON.stringify(b.statusCode)} differs from the HTTP status`;
  if (typeof b.code !== 'string' || !KNOWN_CODES.has(b.code)) return `code ${JSON.stringify(b.code)} is not a known ErrorCode`;
  if (typeof b.message !== 'string') return `message ${JSON.stringify(b.message)} is not a string`;
  return undefined;
}
