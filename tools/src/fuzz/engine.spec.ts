import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { mintToken } from '@seckill/testing';
import { caseArbitrary, REFUSED_FAMILIES, type FuzzCase, type Targets } from './cases';
import { pairSeed, plan, runItem, signatureOf, type Finding, type RouteStats } from './engine';
import type { Outcome } from './judge';
import { routesOf } from './openapi';
import { TEST_DOC } from './test-doc';

const secret = 'unit-test-secret-unit-test-secret';
const targets: Targets = {
  tokens: { shopper: mintToken(secret, { id: 1, username: 'a' }), otherShopper: mintToken(secret, { id: 2, username: 'b' }), admin: mintToken(secret, { id: 3, username: 'r', role: 'admin' }), secret },
  pathValues: { id: '7', orderNo: 'ORD1', uuid: '0b8f6f3a-8e8c-4c55-9d7c-1f2e3d4c5b6a' },
  hints: { seckillGoodId: fc.constant(7) },
  bodyLimit: 1024,
};
const routes = routesOf(TEST_DOC);
const refusal: Outcome = { status: 400, body: JSON.stringify({ statusCode: 400, code: 'VALIDATION_FAILED', message: 'no' }) };
const stats = (): RouteStats => ({ route: 'r', sent: 0, byStatus: {}, findings: 0 });

describe('plan', () => {
  it('spends exactly the budget, every route and family, refused families first', () => {
    const p = plan(routes, 1000);
    const all = [...p.refused, ...p.lenient];
    assert.equal(all.reduce((n, i) => n + i.runs, 0), 1000);
    assert.ok(p.refused.every((i) => REFUSED_FAMILIES.includes(i.family)));
    assert.ok(p.lenient.every((i) => !REFUSED_FAMILIES.includes(i.family)));
    assert.deepEqual(new Set(all.map((i) => i.route.id)), new Set(routes.map((r) => r.id)));
    assert.ok(Math.max(...all.map((i) => i.runs)) - Math.min(...all.map((i) => i.runs)) <= 1);
  });

  it('derives stable per-pair seeds', () => {
    assert.equal(pairSeed(42, 'GET /health', 'query'), pairSeed(42, 'GET /health', 'query'));
    assert.notEqual(pairSeed(42, 'GET /health', 'query'), pairSeed(42, 'GET /health', 'valid'));
  });
});

describe('runItem', () => {
  const stock = routes.find((r) => r.id === 'POST /api/admin/seckill/goods/{id}/stock')!;

  it('sends the whole budget when nothing is found', async () => {
    const s = stats();
    const findings = await runItem({ route: stock, family: 'body', runs: 50 }, targets, 1, async () => refusal, s, () => undefined);
    assert.deepEqual(findings, []);
    assert.equal(s.sent, 50);
    assert.deepEqual(s.byStatus, { '400': 50 });
  });

  it('shrinks a 5xx to a minimal reproducer with its seed and path, then keeps searching under the next seed', async () => {
    // A server that breaks on any delta beyond int32: the shrunk reproducer should be the smallest such number.
    const send = async (c: FuzzCase): Promise<Outcome> => {
      const parsed = (() => {
        try {
          return JSON.parse(c.body ?? '') as { delta?: unknown };
        } catch {
          return undefined;
        }
      })();
      return typeof parsed?.delta === 'number' && parsed.delta > 2147483647 ? { status: 500, body: '{"statusCode":500,"code":"INTERNAL","message":"internal error"}' } : refusal;
    };
    const s = stats();
    const findings = await runItem({ route: stock, family: 'body', runs: 3000 }, targets, 7, send, s, () => undefined);
    assert.ok(findings.length >= 1 && findings.length <= 3, `${findings.length} findings`);
    const f = findings[0]!;
    assert.equal(f.kind, '5xx');
    assert.equal(f.reproducer.method, 'POST');
    assert.equal(f.reproducer.path, '/api/admin/seckill/goods/7/stock');
    assert.equal(f.reproducer.headers.authorization, `Bearer ${targets.tokens.admin}`);
    assert.ok(JSON.parse(f.reproducer.body!).delta > 2147483647);
    assert.equal(f.seed, pairSeed(7, stock.id, 'body'));
    assert.notEqual(f.path, '');
    assert.equal(s.findings, findings.length);
    // Replaying the recorded seed and path gives back exactly the reproducer.
    const replay = await fc.check(
      fc.asyncProperty(caseArbitrary(stock, 'body', targets), async (c) => {
        if ((await send(c)).status === 500) throw new Error('5xx');
      }),
      { seed: f.seed, path: f.path },
    );
    assert.equal(replay.failed, true);
    assert.equal(replay.counterexample![0].body, f.reproducer.body);
  });

  it('reports an accepted request that had to be refused, and counts what was accepted', async () => {
    const accepted: number[] = [];
    const findings = await runItem({ route: stock, family: 'auth', runs: 20 }, targets, 3, async () => ({ status: 200, body: '{}' }), stats(), (_c, status) => accepted.push(status));
    assert.equal(findings[0]?.kind, 'accepted');
    assert.ok(accepted.length > 0 && accepted.every((st) => st === 200));
  });
});

describe('signatureOf', () => {
  it('makes one bug of a broken error body wherever it shows, and keeps 5xx apart by route and family', () => {
    const a = signatureOf('GET /a', 'path', 'error body', '400: code "FST_ERR_BAD_URL" is not a known ErrorCode');
    assert.equal(a, signatureOf('POST /b', 'query', 'error body', '400: code "FST_ERR_BAD_URL" is not a known ErrorCode'));
    assert.notEqual(a, signatureOf('GET /a', 'path', 'error body', '414: code "FST_ERR_MAX_PARAM_LENGTH" is not a known ErrorCode'));
    assert.equal(signatureOf('GET /a', 'path', 'error body', '400: body is not JSON: "x"'), signatureOf('GET /b', 'path', 'error body', '400: body is not JSON: "y"'));
    assert.notEqual(signatureOf('GET /a', 'valid', '5xx', '500: x'), signatureOf('GET /b', 'valid', '5xx', '500: x'));
    assert.notEqual(signatureOf('GET /a', 'valid', '5xx', '500: x'), signatureOf('GET /a', 'headers', '5xx', '500: x'));
  });
});

describe('runItem with known findings', () => {
  it('counts a bug already found instead of stopping on it again', async () => {
    const stock = routes.find((r) => r.id === 'POST /api/admin/seckill/goods/{id}/stock')!;
    const broken: Outcome = { status: 400, body: 'Bad Request' };
    const known = new Map<string, Finding>();
    const s = stats();
    const first = await runItem({ route: stock, family: 'body', runs: 40 }, targets, 1, async () => broken, s, () => undefined, known);
    assert.equal(first.length, 1);
    const second = await runItem({ route: stock, family: 'path', runs: 40 }, targets, 1, async () => broken, s, () => undefined, known);
    assert.deepEqual(second, []);
    assert.deepEqual(first[0]!.routes, [stock.id]);
    // The first answer; the first item's 39 remaining runs under the next seed; the second item's 40.
    assert.equal(first[0]!.occurrences, 80);
    assert.equal(s.sent, 80 + first[0]!.shrinks);
  });
});
