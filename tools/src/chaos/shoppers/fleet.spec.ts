import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { WebSocketServer, type WebSocket } from 'ws';
import { freePort } from '@seckill/testing';
import { Fleet } from './fleet';

/**
 * The chaos shoppers against stand-ins: an order-api that answers every requestId's first post with 503
 * TRY_AGAIN and the next with 202, a second order-api that is not listening at all, and a notifier that drops
 * every other socket before the outcome and delivers stored outcomes at once on reconnect.
 */
const posts: { requestId: string; auth: string }[] = [];
const outcomes = new Map<string, string>();
const sockets = new Map<string, WebSocket[]>();
let dropNext = true;
let api: Server;
let notifier: WebSocketServer;
let apiUrl: string;
let deadApi: string;
let notifierUrl: string;

function announce(uuid: string): void {
  const frame = JSON.stringify({ type: 'order.result', uuid, status: 'SUCCESS', orderNo: `NO-${uuid.slice(0, 4)}` });
  outcomes.set(uuid, frame);
  for (const ws of sockets.get(uuid) ?? []) {
    // Every other waiting socket dies before its outcome: the shopper must come back for it.
    if ((dropNext = !dropNext)) ws.terminate();
    else ws.send(frame);
  }
}

before(async () => {
  api = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const { requestId } = JSON.parse(body) as { requestId: string };
      const seen = posts.some((p) => p.requestId === requestId);
      posts.push({ requestId, auth: req.headers.authorization ?? '' });
      if (!seen) {
        res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '0' }).end('{"statusCode":503,"code":"TRY_AGAIN","message":"retry"}');
        return;
      }
      res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ uuid: requestId, status: 'QUEUED' }));
      setImmediate(() => announce(requestId));
    });
  });
  api.listen(0, '127.0.0.1');
  await once(api, 'listening');
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  deadApi = `http://127.0.0.1:${await freePort()}`;

  notifier = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await once(notifier, 'listening');
  notifier.on('connection', (ws, req) => {
    const uuid = (req.url ?? '').slice(1).split('?')[0]!;
    const stored = outcomes.get(uuid);
    if (stored) return ws.send(stored);
    sockets.set(uuid, [...(sockets.get(uuid) ?? []), ws]);
  });
  notifierUrl = `ws://127.0.0.1:${(notifier.address() as AddressInfo).port}`;
});

after(async () => {
  api.close();
  notifier.close();
});

describe('chaos shoppers', () => {
  it('retry with the same requestId, move off an instance that is gone, and reconnect their socket for the outcome', async () => {
    const fleet = new Fleet({
      itemId: 7,
      shoppers: Array.from({ length: 40 }, (_, i) => ({ userId: i + 1, token: `token-${i}` })),
      // Half the shoppers start on an order-api that refuses connections.
      apis: [apiUrl, deadApi],
      notifiers: [notifierUrl],
      waves: { size: 20, everyMs: 10 },
      connectionsPerApi: 8,
      retryDeadline: () => Infinity,
    });
    try {
      fleet.start();
      await fleet.waitFor(() => fleet.settled, 10_000, 'every shopper done');
    } finally {
      fleet.stop();
    }
    const records = fleet.records();
    assert.equal(records.length, 40);
    for (const r of records) {
      assert.equal(r.end, 'accepted', `shopper ${r.index}`);
      assert.equal(r.uuid, r.requestId, 'the 202 carries the requestId');
      assert.equal(r.outcome?.status, 'SUCCESS');
      const mine = posts.filter((p) => p.requestId === r.requestId);
      assert.equal(mine.length, 2, 'one 503, then the same requestId again');
      assert.ok(mine.every((p) => p.auth === `Bearer token-${r.index}`));
    }
    const movedOver = records.filter((r) => r.attempts[0]!.api === deadApi);
    assert.equal(movedOver.length, 20);
    for (const r of movedOver) {
      assert.ok(r.attempts[0]!.error, 'the first attempt found nobody');
      assert.ok(r.attempts.slice(1).every((a) => a.api === apiUrl), 'then it asked the instance that is up');
    }
    assert.ok(records.every((r) => r.attempts.some((a) => a.status === 503 && a.retryAfterMs === 0)));
    const reconnected = records.filter((r) => r.outcome?.via === 'reconnect');
    assert.equal(reconnected.length, 20, 'every other socket was dropped and its outcome came on the next one');
    assert.ok(reconnected.every((r) => r.socketDrops === 1 && r.socketOpens === 2));
    assert.equal(records.filter((r) => r.outcome?.via === 'push').length, 20);
  });

  it('give up when the fault is over and the margin has passed', async () => {
    const until = Date.now() + 150;
    const fleet = new Fleet({
      itemId: 7,
      shoppers: [{ userId: 99, token: 'token-99' }],
      apis: [deadApi],
      notifiers: [notifierUrl],
      waves: { size: 1, everyMs: 10 },
      connectionsPerApi: 1,
      retryDeadline: () => until,
    });
    try {
      fleet.start();
      await fleet.waitFor(() => fleet.settled, 10_000, 'the shopper done');
    } finally {
      fleet.stop();
    }
    const [r] = fleet.records();
    assert.equal(r!.end, 'gave-up');
    assert.ok(r!.attempts.length >= 1 && r!.attempts.every((a) => a.error !== undefined));
  });
});
