import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { mintToken } from '@seckill/testing';
import { caseArbitrary, familiesOf, rightfulToken, type Targets } from './cases';
import { routesOf } from './openapi';
import { TEST_DOC } from './test-doc';

const secret = 'unit-test-secret-unit-test-secret';
const targets: Targets = {
  tokens: {
    shopper: mintToken(secret, { id: 1, username: 'a' }),
    otherShopper: mintToken(secret, { id: 2, username: 'b' }),
    admin: mintToken(secret, { id: 3, username: 'root', role: 'admin' }),
    secret,
  },
  pathValues: { id: '7', orderNo: 'ORD1', uuid: '0b8f6f3a-8e8c-4c55-9d7c-1f2e3d4c5b6a' },
  hints: { seckillGoodId: fc.constant(7) },
  bodyLimit: 1024,
};
const routes = routesOf(TEST_DOC);
const route = (id: string) => routes.find((r) => r.id === id)!;

describe('fuzz cases', () => {
  it('apply the families a route has: auth where secured, body and content type where it takes a body, path where it has parameters', () => {
    assert.deepEqual(familiesOf(route('GET /health')), ['valid', 'query', 'headers']);
    assert.deepEqual(familiesOf(route('POST /api/admin/seckill/goods/{id}/stock')), ['auth', 'body', 'content-type', 'path', 'valid', 'query', 'headers']);
    assert.equal(rightfulToken(route('POST /api/admin/seckill/goods/{id}/stock'), targets.tokens), targets.tokens.admin);
    assert.equal(rightfulToken(route('POST /api/orders/{orderNo}/pay'), targets.tokens), targets.tokens.shopper);
  });

  it('auth cases never carry the rightful token; owner routes get shopper B, admin routes the shopper', () => {
    for (const id of ['POST /api/orders/{orderNo}/pay', 'POST /api/admin/seckill/goods/{id}/stock']) {
      const r = route(id);
      const sample = fc.sample(caseArbitrary(r, 'auth', targets), { numRuns: 500, seed: 5 });
      for (const c of sample) {
        assert.equal(c.mustRefuse, true);
        assert.notEqual(c.headers.authorization, `Bearer ${rightfulToken(r, targets.tokens)}`, c.mutation);
      }
      const mutations = new Set(sample.map((c) => c.mutation));
      for (const m of ['no Authorization', 'alg none', 'expired', 'wrong secret', 'claims tampered (role admin)']) assert.ok(mutations.has(m), `${id}: ${m}`);
      assert.ok(mutations.has(id.includes('admin') ? 'shopper token on an admin route' : "shopper B on shopper A's resource"), id);
    }
  });

  it('path cases never point at the real fixture', () => {
    for (const c of fc.sample(caseArbitrary(route('POST /api/orders/{orderNo}/pay'), 'path', targets), { numRuns: 1000, seed: 2 })) {
      assert.notEqual(c.path, '/api/orders/ORD1/pay');
      assert.equal(c.mustRefuse, true);
    }
  });

  it('lenient cases are sent with the real target and may be accepted', () => {
    for (const family of ['valid', 'query', 'headers'] as const) {
      for (const c of fc.sample(caseArbitrary(route('POST /api/seckill/orders'), family, targets), { numRuns: 100, seed: 1 })) {
        assert.equal(c.mustRefuse, false);
        assert.ok(c.path.startsWith('/api/seckill/orders'));
      }
    }
    const valid = fc.sample(caseArbitrary(route('POST /api/seckill/orders'), 'valid', targets), { numRuns: 100, seed: 1 });
    assert.ok(valid.every((c) => c.headers.authorization === `Bearer ${targets.tokens.shopper}`));
    assert.ok(valid.some((c) => JSON.parse(c.body!.replace(/^\ufeff/, '')).seckillGoodId === 7), 'the hint is used');
  });

  it('every header value can go on the wire (latin1, no control characters)', () => {
    for (const r of routes) {
      for (const family of familiesOf(r)) {
        for (const c of fc.sample(caseArbitrary(r, family, targets), { numRuns: 200, seed: 9 })) {
          for (const [k, v] of Object.entries(c.headers)) assert.match(v, /^[\t\x20-\x7e\x80-\xff]*$/, `${r.id} ${family} ${k}`);
        }
      }
    }
  });
});

describe('per-route path values', () => {
  it('aim a route at its own fixture, and odd values avoid every real one', () => {
    const t: Targets = { ...targets, routePathValues: { 'POST /api/orders/{orderNo}/pay': { orderNo: 'ORD2' } } };
    const pay = route('POST /api/orders/{orderNo}/pay');
    for (const c of fc.sample(caseArbitrary(pay, 'valid', t), { numRuns: 20, seed: 1 })) assert.equal(c.path, '/api/orders/ORD2/pay');
    for (const c of fc.sample(caseArbitrary(pay, 'path', t), { numRuns: 1000, seed: 4 })) {
      assert.notEqual(c.path, '/api/orders/ORD1/pay');
      assert.notEqual(c.path, '/api/orders/ORD2/pay');
    }
  });
});
