import { now } from '../loadtest/protocol';
import { parseRetryAfter } from '../loadtest/retry';

/** One answer to the pages' other requests (the catalogue, polling an outcome, my orders). */
export interface PageAnswer {
  route: string;
  api: string;
  at: number;
  status?: number;
  code?: string;
  retryAfterMs?: number;
  /** Transport error or TIMEOUT (no answer within the page's patience). */
  error?: string;
}

export interface PageShopper {
  token: string;
  uuid: string;
}

const ROUTES = ['GET /api/seckill/goods', 'GET /api/seckill/goods/:id', 'GET /api/seckill/orders/:uuid', 'GET /api/orders'] as const;
const PATIENCE_MS = 5_000;

/**
 * The rest of what shop pages ask while the sale runs, a few requests a second across every route and every
 * order-api instance: the contract's "a route whose dependency is down answers 503 TRY_AGAIN, never 500" is
 * about all routes, and the order route alone would not show a catalogue or an order list that breaks.
 */
export class PageTraffic {
  readonly answers: PageAnswer[] = [];
  private timer?: NodeJS.Timeout;
  private tick = 0;
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly apis: readonly string[],
    private readonly itemId: number,
    /** A shopper holding a 202, to poll its outcome and list its orders as its page would. */
    private readonly someShopper: () => PageShopper | undefined,
  ) {}

  start(everyMs = 100): void {
    this.timer = setInterval(() => this.fire(), everyMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all([...this.pending]);
  }

  private fire(): void {
    const n = this.tick++;
    const route = ROUTES[n % ROUTES.length]!;
    const api = this.apis[Math.floor(n / ROUTES.length) % this.apis.length]!;
    const shopper = this.someShopper();
    let path: string;
    let token: string | undefined;
    switch (route) {
      case 'GET /api/seckill/goods':
        path = '/api/seckill/goods';
        break;
      case 'GET /api/seckill/goods/:id':
        path = `/api/seckill/goods/${this.itemId}`;
        break;
      case 'GET /api/seckill/orders/:uuid':
        if (!shopper) return;
        path = `/api/seckill/orders/${shopper.uuid}`;
        token = shopper.token;
        break;
      case 'GET /api/orders':
        if (!shopper) return;
        path = '/api/orders';
        token = shopper.token;
        break;
    }
    const p = this.get(route, api, path, token).finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  private async get(route: string, api: string, path: string, token?: string): Promise<void> {
    const answer: PageAnswer = { route, api, at: now() };
    try {
      const res = await fetch(`${api}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: AbortSignal.timeout(PATIENCE_MS) });
      answer.status = res.status;
      const retryAfter = parseRetryAfter(res.headers.get('retry-after') ?? undefined, Date.now());
      if (retryAfter !== undefined) answer.retryAfterMs = retryAfter;
      const body = (await res.json().catch(() => null)) as { code?: unknown } | null;
      if (body && !Array.isArray(body) && typeof body.code === 'string') answer.code = body.code;
    } catch (err) {
      const e = err as { name?: string; cause?: { code?: string } };
      answer.error = e.name === 'TimeoutError' ? 'TIMEOUT' : (e.cause?.code ?? e.name ?? 'ERROR');
    }
    answer.at = now();
    this.answers.push(answer);
  }
}
