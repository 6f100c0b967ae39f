import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { OrderConnections, orderRequestBytes, parseResponse } from './fire';

const response = (head: string, body: string) => Buffer.from(`${head}\r\n\r\n${body}`);

describe('reading an answer off the wire', () => {
  it('waits for the whole Content-Length body', () => {
    const full = response('HTTP/1.1 202 Accepted\r\ncontent-type: application/json\r\ncontent-length: 17', '{"uuid":"u","x":1}'.slice(0, 17));
    assert.equal(parseResponse(full.subarray(0, 20)), null, 'headers incomplete');
    assert.equal(parseResponse(full.subarray(0, full.length - 1)), null, 'body incomplete');
    const res = parseResponse(full)!;
    assert.equal(res.status, 202);
    assert.equal(res.body.toString(), '{"uuid":"u","x":1');
  });

  it('decodes a chunked body, also when it arrives in pieces', () => {
    const full = response('HTTP/1.1 409 Conflict\r\nTransfer-Encoding: chunked', '4\r\n{"co\r\n9\r\nde":"SOLD\r\n3\r\n"}x\r\n0\r\n\r\n');
    for (let cut = 0; cut < full.length; cut++) assert.equal(parseResponse(full.subarray(0, cut)), null, `incomplete at ${cut}`);
    assert.deepEqual(parseResponse(full), { status: 409, body: Buffer.from('{"code":"SOLD"}x') });
  });

  it('keeps Retry-After, in either framing, and only when sent', () => {
    const plain = response('HTTP/1.1 503 Service Unavailable\r\nRetry-After: 2\r\ncontent-length: 2', '{}');
    assert.deepEqual(parseResponse(plain), { status: 503, body: Buffer.from('{}'), retryAfter: '2' });
    const chunked = response('HTTP/1.1 503 Service Unavailable\r\ntransfer-encoding: chunked\r\nretry-after: Fri, 15 Jan 2027 08:00:03 GMT', '2\r\n{}\r\n0\r\n\r\n');
    assert.equal(parseResponse(chunked)!.retryAfter, 'Fri, 15 Jan 2027 08:00:03 GMT');
    assert.equal('retryAfter' in parseResponse(response('HTTP/1.1 409 Conflict\r\ncontent-length: 0', ''))!, false);
  });

  it('takes a response without a body', () => {
    assert.deepEqual(parseResponse(response('HTTP/1.1 204 No Content', '')), { status: 204, body: Buffer.alloc(0) });
  });

  it('refuses what is not HTTP', () => {
    assert.throws(() => parseResponse(Buffer.from('SSH-2.0-OpenSSH\r\n\r\n')), /not an HTTP response/);
  });

  it('writes the order as a browser would post it', () => {
    const text = orderRequestBytes({ api: 'http://127.0.0.1:3000', token: 'T', requestId: 'r-1' }, 7).toString();
    const [head, body] = text.split('\r\n\r\n');
    assert.equal(body, '{"seckillGoodId":7,"requestId":"r-1"}');
    assert.match(head!, /^POST \/api\/seckill\/orders HTTP\/1\.1\r\n/);
    assert.match(head!, /\r\nHost: 127\.0\.0\.1:3000\r\n/);
    assert.match(head!, /\r\nAuthorization: Bearer T\r\n/);
    assert.match(head!, new RegExp(`\\r\\nContent-Length: ${Buffer.byteLength(body!)}\\r\\n`));
  });
});

describe('order connections against a real HTTP server', () => {
  it('posts on the pre-opened connection and on a pool, and reads status, code and uuid', async () => {
    const seen: string[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push(`${req.method} ${req.url} ${req.headers.authorization} ${body}`);
        const { requestId } = JSON.parse(body) as { requestId: string };
        if (requestId === 'busy') {
          res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '3' });
          return res.end(JSON.stringify({ statusCode: 503, code: 'TRY_AGAIN' }));
        }
        res.writeHead(requestId === 'a' ? 202 : 409, { 'content-type': 'application/json' });
        // No content-length: node:http answers chunked, the harder framing.
        res.end(JSON.stringify(requestId === 'a' ? { uuid: 'a', status: 'QUEUED' } : { statusCode: 409, code: 'SOLD_OUT' }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const own = new OrderConnections(0, [api]);
      const a = { index: 0, userId: 1, token: 'ta', requestId: 'a', api, notifier: '', offsetMs: 0 };
      const b = { ...a, index: 1, token: 'tb', requestId: 'b' };
      assert.equal(await own.open(a, 7), true);
      let sent = 0;
      const [ra, rb] = await Promise.all([own.post(a, 7, () => sent++), own.post(b, 7, () => sent++)]);
      own.close();
      assert.equal(sent, 2);
      assert.deepEqual([ra.status, ra.uuid, ra.code], [202, 'a', undefined]);
      assert.deepEqual([rb.status, rb.uuid, rb.code], [409, undefined, 'SOLD_OUT']);
      assert.ok(ra.sentAt! <= ra.answeredAt);

      const pool = new OrderConnections(1, [api]);
      const rp = await pool.post(b, 7, () => undefined);
      const busy = { ...b, index: 2, requestId: 'busy' };
      const rbPool = await pool.post(busy, 7, () => undefined);
      pool.close();
      assert.deepEqual([rp.status, rp.code, rp.retryAfterMs], [409, 'SOLD_OUT', undefined]);
      assert.deepEqual([rbPool.status, rbPool.code, rbPool.retryAfterMs], [503, 'TRY_AGAIN', 3000], 'Retry-After through node:http');
      const own2 = new OrderConnections(0, [api]);
      const rbOwn = await own2.post(busy, 7, () => undefined);
      own2.close();
      assert.deepEqual([rbOwn.status, rbOwn.code, rbOwn.retryAfterMs], [503, 'TRY_AGAIN', 3000], 'Retry-After off the wire');
      seen.splice(seen.indexOf(`POST /api/seckill/orders Bearer tb {"seckillGoodId":7,"requestId":"busy"}`), 1);
      seen.splice(seen.indexOf(`POST /api/seckill/orders Bearer tb {"seckillGoodId":7,"requestId":"busy"}`), 1);
      assert.deepEqual(seen.sort(), ['POST /api/seckill/orders Bearer ta {"seckillGoodId":7,"requestId":"a"}', 'POST /api/seckill/orders Bearer tb {"seckillGoodId":7,"requestId":"b"}', 'POST /api/seckill/orders Bearer tb {"seckillGoodId":7,"requestId":"b"}']);
    } finally {
      server.close();
    }
  });

  it('reports a refused connection as a transport error, never throws', async () => {
    const own = new OrderConnections(0, ['http://127.0.0.1:1']);
    const s = { index: 0, userId: 1, token: 't', requestId: 'a', api: 'http://127.0.0.1:1', notifier: '', offsetMs: 0 };
    const r = await own.post(s, 7, () => undefined);
    assert.equal(r.error, 'ECONNREFUSED');
    assert.equal(r.status, undefined);
  });
});
