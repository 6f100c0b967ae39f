import { Agent, request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { now, type Shopper } from './protocol';
import { parseRetryAfter } from './retry';

/** An answer as read off the wire, or the transport error instead. */
export type RawAnswer = { status: number; body: Buffer; retryAfter?: string; sentAt?: number; answeredAt: number } | { error: string; sentAt?: number; answeredAt: number };

export interface Answer {
  status?: number;
  code?: string;
  uuid?: string;
  error?: string;
  /** The Retry-After header, in ms from the answer. */
  retryAfterMs?: number;
  sentAt?: number;
  answeredAt: number;
}

/**
 * Where order requests travel. Either one connection per shopper, opened during preparation (a shopper's
 * page is loaded before the sale starts, so the click costs no TCP handshake and every order of a burst is
 * on the wire at once), or a shared keep-alive pool (traffic funnelled through a proxy: requests beyond the
 * pool wait in the client, and that wait is part of their latency).
 *
 * On its own connection the order is written as prepared bytes and its answer read by `parseResponse`, not
 * through node:http: the load generator shares the cores with the system under test, and a client that
 * spends less CPU per request puts a burst on the wire sooner and steals less from what it measures.
 */
export class OrderConnections {
  private readonly own = new Map<number, Socket>();
  private readonly prepared = new Map<number, Buffer>();
  private readonly agents = new Map<string, Agent>();

  constructor(private readonly poolSize: number, apis: readonly string[]) {
    if (poolSize > 0) {
      const perApi = Math.max(1, Math.ceil(poolSize / apis.length));
      for (const api of apis) this.agents.set(api, new Agent({ keepAlive: true, maxSockets: perApi, scheduling: 'fifo' }));
    }
  }

  /**
   * Opens the shopper's own connection and prepares its order (unless the item is not known yet: 0); false in pool
   * mode (connections open on demand).
   */
  async open(s: Shopper, itemId: number): Promise<boolean> {
    if (this.poolSize > 0) return false;
    if (itemId > 0) this.prepared.set(s.index, orderRequestBytes(s, itemId));
    const socket = await connectTo(s.api);
    // Errors after the order was answered (the server closing an idle connection) are not the shopper's concern.
    socket.on('error', () => undefined);
    this.own.set(s.index, socket);
    return true;
  }

  /**
   * Posts the order; resolves with its answer, never rejects. With the waiting room on, the order carries the
   * shopper's admission token (known only at admission, so those bytes are not prepared ahead).
   */
  async post(s: Shopper, itemId: number, onSent: () => void, admissionToken?: string): Promise<Answer> {
    const body = orderBody(s, itemId, admissionToken);
    const raw =
      this.poolSize > 0
        ? await this.sendPooled(s, 'POST', '/api/seckill/orders', body, onSent)
        : await this.sendOwn(s, (admissionToken === undefined ? this.prepared.get(s.index) : undefined) ?? requestBytes(s, 'POST', '/api/seckill/orders', body), onSent);
    return 'error' in raw ? raw : { ...answerOf(raw.status, raw.body, raw.retryAfter), sentAt: raw.sentAt, answeredAt: raw.answeredAt };
  }

  /** Any other request of the shopper's page (joining the waiting room), on the same connection as its order. */
  send(s: Shopper, method: 'GET' | 'POST', path: string, body: string | undefined, onSent: () => void): Promise<RawAnswer> {
    return this.poolSize > 0 ? this.sendPooled(s, method, path, body, onSent) : this.sendOwn(s, requestBytes(s, method, path, body), onSent);
  }

  private async sendOwn(s: Shopper, bytes: Buffer, onSent: () => void): Promise<RawAnswer> {
    let socket = this.own.get(s.index);
    let sentAt: number | undefined;
    try {
      // The server may have closed an idle connection while the shopper waited: a fresh one, as a browser would.
      if (!socket || socket.destroyed || !socket.writable) {
        socket = await connectTo(s.api);
        socket.on('error', () => undefined);
        this.own.set(s.index, socket);
      }
    } catch (err) {
      return { error: errorName(err), answeredAt: now() };
    }
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      let done = false;
      const finish = (a: RawAnswer) => {
        if (done) return;
        done = true;
        socket.removeListener('data', onData);
        socket.removeListener('close', onClose);
        resolve(a);
      };
      const onData = (chunk: Buffer) => {
        chunks.push(chunk);
        try {
          const res = parseResponse(chunks.length === 1 ? chunk : Buffer.concat(chunks));
          if (res) finish({ ...res, sentAt, answeredAt: now() });
        } catch {
          finish({ error: 'BAD_RESPONSE', sentAt, answeredAt: now() });
        }
      };
      const onClose = () => finish({ error: 'ECONNRESET', sentAt, answeredAt: now() });
      socket.on('data', onData);
      socket.once('close', onClose);
      sentAt = now();
      onSent();
      socket.write(bytes);
    });
  }

  private sendPooled(s: Shopper, method: 'GET' | 'POST', path: string, payload: string | undefined, onSent: () => void): Promise<RawAnswer> {
    const req = request(new URL(path, s.api), {
      method,
      agent: this.agents.get(s.api)!,
      headers: {
        authorization: `Bearer ${s.token}`,
        ...(payload !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
      },
    });
    return new Promise((resolve) => {
      let sentAt: number | undefined;
      // With a pool the request may wait for a connection: it is sent when it gets one.
      req.once('socket', () => {
        sentAt = now();
        onSent();
      });
      req.once('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => resolve({ error: errorName(err), sentAt, answeredAt: now() }));
        const retryAfter = res.headers['retry-after'];
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), ...(retryAfter !== undefined ? { retryAfter } : {}), sentAt, answeredAt: now() }));
      });
      req.once('error', (err) => resolve({ error: errorName(err), sentAt, answeredAt: now() }));
      req.end(payload);
    });
  }

  close(): void {
    for (const s of this.own.values()) s.destroy();
    for (const a of this.agents.values()) a.destroy();
  }
}

function orderBody(s: Pick<Shopper, 'requestId'>, itemId: number, admissionToken?: string): string {
  return JSON.stringify({ seckillGoodId: itemId, requestId: s.requestId, ...(admissionToken !== undefined ? { admissionToken } : {}) });
}

/** The whole order request as it goes on the wire (HTTP/1.1, keep-alive like a browser's). */
export function orderRequestBytes(s: Pick<Shopper, 'api' | 'token' | 'requestId'>, itemId: number, admissionToken?: string): Buffer {
  return requestBytes(s, 'POST', '/api/seckill/orders', orderBody(s, itemId, admissionToken));
}

/** One request of a shopper's page as it goes on the wire: its token, and a JSON body when it has one. */
export function requestBytes(s: Pick<Shopper, 'api' | 'token'>, method: 'GET' | 'POST', path: string, body?: string): Buffer {
  const url = new URL(s.api);
  const content = body === undefined ? '' : `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`;
  return Buffer.from(`${method} ${path} HTTP/1.1\r\nHost: ${url.host}\r\n${content}Authorization: Bearer ${s.token}\r\nConnection: keep-alive\r\n\r\n${body ?? ''}`);
}

/**
 * One complete HTTP/1.1 response at the start of `buf`, or null while it is incomplete. Handles the two ways a
 * server frames a body: Content-Length and chunked transfer encoding. Of the headers only Retry-After matters
 * to a shopper (when to try again after a 503).
 */
export function parseResponse(buf: Buffer): { status: number; body: Buffer; retryAfter?: string } | null {
  const end = buf.indexOf('\r\n\r\n');
  if (end === -1) return null;
  const head = buf.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head[0] ?? '')?.[1]);
  if (!Number.isInteger(status)) throw new Error(`not an HTTP response: ${JSON.stringify(head[0])}`);
  const header = (name: string) => head.find((h) => h.toLowerCase().startsWith(`${name}:`))?.slice(name.length + 1).trim();
  const start = end + 4;
  const retryAfter = header('retry-after');
  const extra = retryAfter !== undefined ? { retryAfter } : {};
  if (/chunked/i.test(header('transfer-encoding') ?? '')) {
    const parts: Buffer[] = [];
    let at = start;
    for (;;) {
      const lineEnd = buf.indexOf('\r\n', at);
      if (lineEnd === -1) return null;
      const size = parseInt(buf.subarray(at, lineEnd).toString('latin1'), 16);
      if (Number.isNaN(size)) throw new Error('bad chunk size');
      if (size === 0) return buf.length >= lineEnd + 4 ? { status, body: Buffer.concat(parts), ...extra } : null;
      if (buf.length < lineEnd + 2 + size + 2) return null;
      parts.push(buf.subarray(lineEnd + 2, lineEnd + 2 + size));
      at = lineEnd + 2 + size + 2;
    }
  }
  const length = Number(header('content-length') ?? 0);
  return buf.length >= start + length ? { status, body: buf.subarray(start, start + length), ...extra } : null;
}

function answerOf(status: number, body: Buffer, retryAfter?: string): Omit<Answer, 'answeredAt'> {
  let parsed: { uuid?: unknown; code?: unknown } = {};
  try {
    parsed = JSON.parse(body.toString()) as typeof parsed;
  } catch {
    // a non-JSON answer keeps only its status
  }
  const retryAfterMs = parseRetryAfter(retryAfter, Date.now());
  return {
    status,
    ...(typeof parsed.code === 'string' ? { code: parsed.code } : {}),
    ...(typeof parsed.uuid === 'string' ? { uuid: parsed.uuid } : {}),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  };
}

function connectTo(api: string): Promise<Socket> {
  const url = new URL(api);
  const socket = connect({ host: url.hostname, port: Number(url.port || 80), noDelay: true });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

function errorName(err: unknown): string {
  const e = err as { code?: string; message?: string };
  return e.code ?? e.message ?? String(err);
}

/**
 * The fallback for a shopper whose socket dropped: GET /api/seckill/orders/:uuid until the outcome is final (and,
 * in the waiting room, GET /api/seckill/goods/:id/room until admitted or closed). A small shared pool, since only
 * a few shoppers should ever need it.
 */
export class OutcomePoller {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 16 });

  async once(s: Shopper, uuid: string): Promise<{ status: number; outcome?: { status: string; orderNo?: string; reason?: string } }> {
    const { status, body } = await this.get<{ status?: string; orderNo?: string; reason?: string }>(s, `/api/seckill/orders/${uuid}`);
    if (status === 200 && body?.status && body.status !== 'QUEUED') {
      return { status, outcome: { status: body.status, ...(body.orderNo ? { orderNo: body.orderNo } : {}), ...(body.reason ? { reason: body.reason } : {}) } };
    }
    return { status };
  }

  /** GET as the shopper; the JSON body when there is one; status 0 when the request failed on the transport. */
  get<T>(s: Shopper, path: string): Promise<{ status: number; body?: T }> {
    return new Promise((resolve) => {
      const req = request(new URL(path, s.api), { method: 'GET', agent: this.agent, headers: { authorization: `Bearer ${s.token}` } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', () => resolve({ status: 0 }));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          try {
            resolve({ status, body: JSON.parse(Buffer.concat(chunks).toString()) as T });
          } catch {
            resolve({ status });
          }
        });
      });
      req.on('error', () => resolve({ status: 0 }));
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
