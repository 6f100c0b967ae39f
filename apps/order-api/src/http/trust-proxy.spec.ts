import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { loadConfig } from '@seckill/config';
import { trustProxySetting } from './trust-proxy';

/** What order-api believes the client address is, behind the given TRUST_PROXY, for a request from `peer`. */
async function clientIp(trustProxy: string | undefined, peer: string, forwardedFor?: string): Promise<string> {
  const app = Fastify({ trustProxy: trustProxySetting(loadConfig(trustProxy === undefined ? {} : { TRUST_PROXY: trustProxy }).TRUST_PROXY) });
  app.get('/ip', (req) => ({ ip: req.ip }));
  try {
    const res = await app.inject({ method: 'GET', url: '/ip', remoteAddress: peer, headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {} });
    return (res.json() as { ip: string }).ip;
  } finally {
    await app.close();
  }
}

describe('TRUST_PROXY', () => {
  it('unset: a client cannot claim another address with X-Forwarded-For', async () => {
    assert.equal(await clientIp(undefined, '203.0.113.7', '198.51.100.1'), '203.0.113.7');
    assert.equal(await clientIp(undefined, '127.0.0.1', '198.51.100.1'), '127.0.0.1');
  });

  it('a list of proxies: only their X-Forwarded-For is believed', async () => {
    assert.equal(await clientIp('10.0.0.0/8, 127.0.0.1', '10.1.2.3', '198.51.100.1'), '198.51.100.1');
    assert.equal(await clientIp('10.0.0.0/8, 127.0.0.1', '203.0.113.7', '198.51.100.1'), '203.0.113.7');
  });

  it('a hop count: the address that many hops back', async () => {
    assert.equal(await clientIp('1', '10.1.2.3', '198.51.100.9, 198.51.100.1'), '198.51.100.1');
  });

  it('refuses a value that is neither a count nor addresses', () => {
    assert.throws(() => loadConfig({ TRUST_PROXY: 'true' }), /TRUST_PROXY/);
    assert.throws(() => loadConfig({ TRUST_PROXY: 'proxy.example.com' }), /TRUST_PROXY/);
  });
});
