import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { installPrivatePort, privatePathsMode } from './private-port';

type Settings = Parameters<typeof installPrivatePort>[1];

/** A Fastify app with one operator route and one public one, split as `settings` says, on real sockets. */
async function split(settings: Settings): Promise<{ app: FastifyInstance; publicUrl: string; privateUrl?: string }> {
  const app = Fastify();
  const port = installPrivatePort(app, settings);
  app.get('/metrics', () => 'metrics');
  app.get('/docs-json', () => ({ openapi: '3.0.0' }));
  app.get('/api/goods', () => ({ goods: [] }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = await port.listen();
  return {
    app,
    publicUrl: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
    ...(address ? { privateUrl: `http://${address.address}:${address.port}` } : {}),
  };
}

async function status(url: string): Promise<number> {
  return (await fetch(url)).status;
}

describe('installPrivatePort', () => {
  it('decides where operator routes go', () => {
    assert.equal(privatePathsMode({ NODE_ENV: 'development', METRICS_PORT: undefined }), 'public-port');
    assert.equal(privatePathsMode({ NODE_ENV: 'development', METRICS_PORT: 9100 }), 'private-port');
    assert.equal(privatePathsMode({ NODE_ENV: 'production', METRICS_PORT: 9100 }), 'private-port');
    assert.equal(privatePathsMode({ NODE_ENV: 'production', METRICS_PORT: undefined }), 'nowhere');
  });

  it('development without METRICS_PORT: everything on the app port, no second listener', async () => {
    const s = await split({ NODE_ENV: 'development', METRICS_PORT: undefined, METRICS_HOST: '127.0.0.1' });
    try {
      assert.equal(s.privateUrl, undefined);
      assert.deepEqual([await status(`${s.publicUrl}/metrics`), await status(`${s.publicUrl}/docs-json`), await status(`${s.publicUrl}/api/goods`)], [200, 200, 200]);
    } finally {
      await s.app.close();
    }
  });

  it('with METRICS_PORT: operator routes only there, the API only on the app port; closing the app closes both', async () => {
    const s = await split({ NODE_ENV: 'production', METRICS_PORT: 0, METRICS_HOST: '127.0.0.1' });
    assert.ok(s.privateUrl);
    try {
      assert.deepEqual([await status(`${s.publicUrl}/metrics`), await status(`${s.publicUrl}/docs-json`), await status(`${s.publicUrl}/api/goods`)], [404, 404, 200]);
      assert.deepEqual([await status(`${s.privateUrl}/metrics`), await status(`${s.privateUrl}/docs-json`), await status(`${s.privateUrl}/api/goods`)], [200, 200, 404]);
    } finally {
      await s.app.close();
    }
    await assert.rejects(fetch(`${s.privateUrl}/metrics`));
  });

  it('production without METRICS_PORT: operator routes nowhere', async () => {
    const s = await split({ NODE_ENV: 'production', METRICS_PORT: undefined, METRICS_HOST: '127.0.0.1' });
    try {
      assert.equal(s.privateUrl, undefined);
      assert.deepEqual([await status(`${s.publicUrl}/metrics`), await status(`${s.publicUrl}/api/goods`)], [404, 200]);
    } finally {
      await s.app.close();
    }
  });
});
