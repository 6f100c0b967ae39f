/** A failed call, carrying the contract's stable `code` (what the page branches on; messages may change). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** `code` of an ApiError when no answer came back at all (or none in time). */
export const NETWORK_ERROR = 'NETWORK';

/** An overview reads PostgreSQL, Redis and the management API; longer than this and the next poll is due. */
const TIMEOUT_MS = 10_000;

interface ErrorBody {
  code: string;
  message?: string;
}

function isErrorBody(value: unknown): value is ErrorBody {
  return typeof value === 'object' && value !== null && typeof (value as { code?: unknown }).code === 'string';
}

/** JSON call to order-api on this origin. Resolves with the parsed body on 2xx, rejects with ApiError otherwise. */
export async function call<T>(method: 'GET' | 'POST', path: string, opts: { token?: string; json?: unknown } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (opts.token) headers['authorization'] = `Bearer ${opts.token}`;
  const init: RequestInit = { method, headers, cache: 'no-store', signal: AbortSignal.timeout(TIMEOUT_MS) };
  if (opts.json !== undefined) {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(opts.json);
  }
  let res: Response;
  try {
    res = await fetch(path, init);
  } catch {
    throw new ApiError(0, NETWORK_ERROR, 'order-api cannot be reached');
  }
  const text = await res.text().catch(() => '');
  let data: unknown;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (!res.ok) {
    const body = isErrorBody(data) ? data : undefined;
    throw new ApiError(res.status, body?.code ?? `HTTP_${res.status}`, body?.message ?? (res.statusText || `HTTP ${res.status}`));
  }
  return data as T;
}
