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

interface ErrorBody {
  code: string;
  message?: string;
}

function isErrorBody(value: unknown): value is ErrorBody {
  return typeof value === 'object' && value !== null && typeof (value as { code?: unknown }).code === 'string';
}

export interface ApiClientOptions {
  /** The sentence of the NETWORK_ERROR ApiError, in the page's own words. */
  unreachable: string;
  /** Give up on an answer after this long; unset: wait as long as the browser does. */
  timeoutMs?: number;
  /** Sees every answer that arrived, before its body is read. */
  onResponse?: (res: Response) => void;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT';

/** JSON call to order-api on this origin. Resolves with the parsed body on 2xx, rejects with ApiError otherwise. */
export type ApiCall = <T>(method: HttpMethod, path: string, opts?: { token?: string; json?: unknown }) => Promise<T>;

export function apiClient(options: ApiClientOptions): ApiCall {
  return async <T>(method: HttpMethod, path: string, opts: { token?: string; json?: unknown } = {}): Promise<T> => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (opts.token) headers['authorization'] = `Bearer ${opts.token}`;
    const init: RequestInit = { method, headers, cache: 'no-store' };
    if (options.timeoutMs !== undefined) init.signal = AbortSignal.timeout(options.timeoutMs);
    if (opts.json !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(opts.json);
    }
    let res: Response;
    try {
      res = await fetch(path, init);
    } catch {
      throw new ApiError(0, NETWORK_ERROR, options.unreachable);
    }
    options.onResponse?.(res);
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
  };
}
