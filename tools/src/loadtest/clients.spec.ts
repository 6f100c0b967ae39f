import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { WebSocketServer, type WebSocket } from 'ws';
import { ClientFleet } from './clients';
import type { AgentInit, Shopper } from './protocol';

/**
 * A client process (agent.ts, forked as in a run) against a stand-in order-api and notifier on loopback: what a
 * shopper does after a 503 TRY_AGAIN, and what its record says afterwards.
 */
describe('a shopper answered 503 TRY_AGAIN', () => {
  it('posts the same requestId again, honours Retry-After, backs off without it, gives up after --retries', async () => {
    // requestId → the answers it gets, in order (the last one repeats).
    const script: Record<string, { status: number; retryAfter?: string }[]> = {
      again: [{ status: 503, retryAfter: '0' }, { status: 202 }],
      never: [{ status: 503, retryAfter: '0' }],
      backoff: [{ status: 503 }, { status: 202 }],
      refused: [{ status: 409 }],
    };
    const posts: string[] = [];
    const sockets = new Map<string, WebSocket>();
    const notifier = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    notifier.on('connection', (ws, req) => sockets.set(new URL(req.url!, 'ws://x').pathname.slice(1), ws));
    const api = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const { requestId } = JSON.parse(body) as { requestId: string };
        const n = posts.filter((p) => p === requestId).length;
        posts.push(requestId);
        const steps = script[requestId]!;
        const step = steps[Math.min(n, steps.length - 1)]!;
        const json =
          step.status === 202
            ? { uuid: requestId, status: 'QUEUED' }
            : { statusCode: step.status, code: step.status === 503 ? 'TRY_AGAIN' : 'SOLD_OUT', message: 'x' };
        res.writeHead(step.status, { 'content-type': 'application/json', ...(step.retryAfter !== undefined ? { 'retry-after': step.retryAfter } : {}) });
        res.end(JSON.stringify(json));
        if (step.status === 202) sockets.get(requestId)?.send(JSON.stringify({ type: 'order.result', uuid: requestId, status: 'SUCCESS', orderNo: `N-${requestId}` }));
      });
    });
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
    await new Promise<void>((r) => (notifier.address() ? r() : notifier.once('listening', r)));
    const apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
    const wsUrl = `ws://127.0.0.1:${(notifier.address() as AddressInfo).port}`;
    const shoppers: Shopper[] = Object.keys(script).map((requestId, index) => ({ index, userId: index + 1, token: 't', requestId, api: apiUrl, notifier: wsUrl, offsetMs: 0 }));
    const deadline = Date.now() + 30_000;
    const init: AgentInit = { type: 'init', client: 0, itemId: 7, shoppers, poolSize: 0, openConcurrency: 4, pollIntervalMs: 50, retry: { retries: 2, firstMs: 100, maxMs: 2000 }, deadline };
    const fleet = ClientFleet.start([init]);
    try {
      assert.equal(await fleet.ready(deadline), true);
      fleet.fire(Date.now());
      const res = await fleet.results(deadline);
      assert.equal(res.complete, true, 'every shopper resolved before the deadline');
      const [again, never, backoff, refused] = res.records;

      assert.deepEqual(posts.filter((p) => p === 'again').length, 2, 'the same requestId, twice');
      assert.deepEqual([again!.status, again!.uuid, again!.outcome?.status, again!.outcome?.via, again!.gaveUp], [202, 'again', 'SUCCESS', 'push', undefined]);
      assert.equal(again!.retried?.length, 1);
      assert.deepEqual([again!.retried![0]!.status, again!.retried![0]!.code, again!.retried![0]!.retryAfterMs, again!.retried![0]!.delayMs], [503, 'TRY_AGAIN', 0, 0]);
      assert.ok(again!.retried![0]!.sentAt! <= again!.retried![0]!.answeredAt && again!.retried![0]!.answeredAt <= again!.sentAt!, 'the first attempt, then the retry');

      assert.equal(posts.filter((p) => p === 'never').length, 3, 'the first attempt and --retries 2 more');
      assert.deepEqual([never!.status, never!.code, never!.gaveUp, never!.retried?.length], [503, 'TRY_AGAIN', 'retries', 2]);

      const waited = backoff!.retried![0]!;
      assert.equal(waited.retryAfterMs, undefined);
      assert.ok(waited.delayMs >= 75 && waited.delayMs <= 125, `backoff ${waited.delayMs} ms: 100 ms ±25 %`);
      assert.ok(backoff!.sentAt! - waited.answeredAt >= 70, 'the retry waited for its backoff');
      assert.deepEqual([backoff!.status, backoff!.outcome?.status], [202, 'SUCCESS']);

      assert.deepEqual([refused!.status, refused!.code, refused!.retried, refused!.gaveUp], [409, 'SOLD_OUT', undefined, undefined]);

      const c = fleet.total;
      assert.deepEqual([c.sent, c.answered, c.accepted, c.retried, c.gaveUp, c.pushed], [4, 4, 2, 4, 1, 2]);
    } finally {
      fleet.kill();
      api.close();
      notifier.close();
    }
  });
});
