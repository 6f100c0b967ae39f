import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import helmet from 'helmet';
import { securityHeaders } from './security-headers';

/** The headers helmet itself sets on a real Node response, read back by a real client. */
async function helmetOnARealResponse(): Promise<Record<string, string>> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    helmet()(req, res, () => res.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    const drop = new Set(['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding']);
    return Object.fromEntries([...res.headers].filter(([name]) => !drop.has(name)));
  } finally {
    server.close();
  }
}

describe('securityHeaders', () => {
  it('are exactly the headers helmet sets on a response', async () => {
    assert.deepEqual({ ...securityHeaders() }, await helmetOnARealResponse());
  });

  it('carry what the production settings promise', () => {
    const h = securityHeaders();
    assert.equal(h['x-content-type-options'], 'nosniff');
    assert.match(h['strict-transport-security'] ?? '', /max-age=\d+/);
    assert.equal(h['x-frame-options'], 'SAMEORIGIN');
    assert.match(h['content-security-policy'] ?? '', /default-src 'self'/);
    assert.equal(h['x-powered-by'], undefined);
  });
});
