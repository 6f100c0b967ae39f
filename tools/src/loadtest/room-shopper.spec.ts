import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { WebSocketServer, type WebSocket } from 'ws';
import { ClientFleet } from './clients';
import type { AgentInit, Shopper } from './protocol';
import { finalAnswer } from './room-answers';

/**
 * A client process (agent.ts, forked as in a run) taking shoppers through a stand-in waiting room: order-api's
 * join, room poll and order routes, and the notifier's room and order sockets. Each shopper (named by its token)
 * meets one way the room can answer.
 */
describe('a shopper in the waiting room', () => {
  it('joins, waits on the room socket or polls, orders with its admission token, and ends with a final answer', async () => {
    const joins: string[] = [];
    const polls: string[] = [];
    const orders: { who: string; admissionToken?: string; requestId: string }[] = [];
    const orderSockets = new Map<string, WebSocket>();
    // As the notifier does: a socket that connects after its result was produced receives it at once.
    const results = new Map<string, string>();
    const notifier = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    notifier.on('connection', (ws, req) => {
      const url = new URL(req.url!, 'ws://x');
      const who = url.searchParams.get('token')!;
      if (!url.pathname.startsWith('/room/7')) {
        const requestId = url.pathname.slice(1);
        orderSockets.set(requestId, ws);
        const result = results.get(requestId);
        if (result) ws.send(result);
        return;
      }
      if (who === 'push') {
        ws.send(JSON.stringify({ type: 'room.position', seckillGoodId: 7, position: 2, ahead: 1, etaSeconds: 1 }));
        setTimeout(() => ws.send(JSON.stringify({ type: 'room.admitted', seckillGoodId: 7, admissionToken: 'T-push', expiresAt: new Date(Date.now() + 60_000).toISOString() })), 100);
      } else if (who === 'closed') {
        ws.send(JSON.stringify({ type: 'room.closed', seckillGoodId: 7, reason: 'SOLD_OUT' }));
        ws.close(1000);
      } else {
        ws.close(4404);
      }
    });
    const json = (res: import('node:http').ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    const waiting = { seckillGoodId: 7, status: 'WAITING', position: 3, ahead: 2, etaSeconds: 2 };
    const api = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const who = (req.headers.authorization ?? '').replace('Bearer ', '');
        if (req.method === 'POST' && req.url === '/api/seckill/goods/7/room') {
          const n = joins.filter((j) => j === who).length;
          joins.push(who);
          if (who === 'closed' && n === 0) return json(res, 503, { statusCode: 503, code: 'TRY_AGAIN', message: 'x' }, { 'retry-after': '0' });
          if (who === 'at-join') return json(res, 200, { seckillGoodId: 7, status: 'ADMITTED', admissionToken: 'T-at-join', expiresAt: new Date().toISOString() });
          if (who === 'refused') return json(res, 403, { statusCode: 403, code: 'SALE_ENDED', message: 'x' });
          return json(res, 200, waiting);
        }
        if (req.method === 'GET' && req.url === '/api/seckill/goods/7/room') {
          polls.push(who);
          return json(res, 200, polls.filter((p) => p === who).length < 2 ? waiting : { seckillGoodId: 7, status: 'ADMITTED', admissionToken: 'T-poll', expiresAt: new Date().toISOString() });
        }
        if (req.method === 'POST' && req.url === '/api/seckill/orders') {
          const o = JSON.parse(body) as { seckillGoodId: number; requestId: string; admissionToken?: string };
          orders.push({ who, requestId: o.requestId, ...(o.admissionToken !== undefined ? { admissionToken: o.admissionToken } : {}) });
          if (o.seckillGoodId !== 7 || o.admissionToken !== `T-${who}`) return json(res, 403, { statusCode: 403, code: 'NOT_ADMITTED', message: 'x' });
          if (who === 'at-join') return json(res, 409, { statusCode: 409, code: 'SOLD_OUT', message: 'x' });
          json(res, 202, { uuid: o.requestId, status: 'QUEUED' });
          const result = JSON.stringify({ type: 'order.result', uuid: o.requestId, status: 'SUCCESS', orderNo: `N-${who}` });
          results.set(o.requestId, result);
          orderSockets.get(o.requestId)?.send(result);
          return;
        }
        json(res, 404, { statusCode: 404, code: 'NOT_FOUND', message: req.url });
      });
    });
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
    await new Promise<void>((r) => (notifier.address() ? r() : notifier.once('listening', r)));
    const apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
    const wsUrl = `ws://127.0.0.1:${(notifier.address() as AddressInfo).port}`;
    const names = ['push', 'closed', 'at-join', 'refused', 'poll'];
    const shoppers: Shopper[] = names.map((token, index) => ({ index, userId: index + 1, token, requestId: `req-${token}`, api: apiUrl, notifier: wsUrl, offsetMs: index * 20 }));
    const deadline = Date.now() + 30_000;
    // The item is not known at init: it comes with the fire message, as in a run.
    const init: AgentInit = { type: 'init', client: 0, itemId: 0, shoppers, poolSize: 0, openConcurrency: 4, pollIntervalMs: 50, retry: { retries: 2, firstMs: 100, maxMs: 2000 }, deadline, room: true };
    const fleet = ClientFleet.start([init]);
    try {
      assert.equal(await fleet.ready(deadline), true);
      assert.equal(fleet.total.socketsOpen, 0, 'no order socket before the admission');
      const firedAt = Date.now();
      fleet.fire(firedAt, 7);
      const res = await fleet.results(deadline);
      assert.equal(res.complete, true, 'every shopper resolved before the deadline');
      const [push, closed, atJoin, refused, poll] = res.records;

      assert.deepEqual(finalAnswer(push!), { kind: 'SUCCESS', label: 'SUCCESS' });
      assert.deepEqual([push!.room!.joined, push!.room!.position, push!.room!.etaSeconds, push!.room!.via, push!.room!.positionFrames], ['WAITING', 3, 2, 'push', 1]);
      assert.ok(push!.room!.joinSentAt! >= firedAt && push!.room!.joinSentAt! <= push!.room!.joinAnsweredAt! && push!.room!.joinAnsweredAt! < push!.room!.admittedAt!);
      assert.ok(push!.room!.admittedAt! <= push!.sentAt!, 'the order went out after the admission');
      assert.deepEqual([push!.status, push!.outcome?.status, push!.outcome?.via], [202, 'SUCCESS', 'push']);

      assert.deepEqual(finalAnswer(closed!), { kind: 'CLOSED', label: 'CLOSED SOLD_OUT' });
      assert.equal(closed!.room!.joinAttempts, 2, 'joined again after 503 TRY_AGAIN');
      assert.equal(closed!.sentAt, undefined, 'never ordered');

      assert.deepEqual(finalAnswer(atJoin!), { kind: 'REFUSED', label: 'order 409 SOLD_OUT' });
      assert.equal(atJoin!.room!.via, 'join');
      assert.equal(atJoin!.room!.socket, 'none', 'admitted at the join: no room socket');

      assert.deepEqual(finalAnswer(refused!), { kind: 'REFUSED', label: 'join 403 SALE_ENDED' });

      assert.deepEqual(finalAnswer(poll!), { kind: 'SUCCESS', label: 'SUCCESS' });
      assert.ok(['dropped', 'failed'].includes(poll!.room!.socket), `room socket ${poll!.room!.socket}`);
      assert.deepEqual([poll!.room!.via, poll!.room!.polls], ['poll', 2]);

      assert.deepEqual(
        orders.map((o) => [o.who, o.admissionToken]).sort(),
        [['at-join', 'T-at-join'], ['poll', 'T-poll'], ['push', 'T-push']],
        'each admitted shopper ordered once, with its own token',
      );
      // Every request to order-api is counted for the peak: 6 joins, 2 polls, 3 orders.
      assert.equal(joins.length + polls.length + orders.length, 11);
      assert.equal(res.apiSends.length, 11);
      assert.ok(res.apiSends.every((t) => t >= firedAt));
      const c = fleet.total;
      assert.deepEqual([c.joined, c.admitted, c.closed, c.accepted, c.pushed], [4, 3, 1, 2, 2]);
    } finally {
      fleet.kill();
      api.close();
      notifier.close();
    }
  });
});
