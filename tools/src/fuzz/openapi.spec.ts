import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fillPath, resolve, routesOf, selectRoutes } from './openapi';
import { TEST_DOC } from './test-doc';

describe('routesOf (the OpenAPI route walker)', () => {
  const routes = routesOf(TEST_DOC);

  it('lists every operation with its method, template, parameters, body and security', () => {
    assert.deepEqual(
      routes.map((r) => r.id),
      ['GET /health', 'POST /api/auth/register', 'GET /api/seckill/goods/{id}', 'POST /api/admin/seckill/goods/{id}/stock', 'POST /api/seckill/orders', 'POST /api/orders/{orderNo}/pay', 'GET /api/seckill/orders/{uuid}'],
    );
    const stock = routes.find((r) => r.id === 'POST /api/admin/seckill/goods/{id}/stock')!;
    assert.deepEqual(stock.pathParams, [{ name: 'id', type: 'number' }]);
    assert.equal(stock.secured, true);
    assert.equal(stock.bodyRequired, true);
    assert.deepEqual(stock.body, { type: 'object', properties: { delta: { type: 'number', minimum: 1, maximum: 1000000 } }, required: ['delta'] });
    const health = routes[0]!;
    assert.equal(health.secured, false);
    assert.equal(health.body, undefined);
    assert.deepEqual(routes.at(-1)!.queryParams, [{ name: 'verbose', type: 'string' }]);
  });

  it('resolves $refs and folds OpenAPI 3.0 nullable into a null type', () => {
    const register = routes.find((r) => r.id === 'POST /api/auth/register')!;
    assert.equal(register.body!.properties!.username!.type, 'string');
    const orders = routes.find((r) => r.id === 'POST /api/seckill/orders')!;
    assert.deepEqual(orders.body!.properties!.requestId!.type, ['string', 'null']);
    assert.equal('nullable' in orders.body!.properties!.requestId!, false);
  });

  it('reads a described object property (allOf of one $ref, as Nest writes it) as that object', () => {
    const doc = { paths: {}, components: { schemas: { Room: { type: 'object', properties: { rate: { type: 'integer', minimum: 1 } }, required: ['rate'] } } } };
    assert.deepEqual(resolve(doc, { allOf: [{ $ref: '#/components/schemas/Room' }] }), { type: 'object', properties: { rate: { type: 'integer', minimum: 1 } }, required: ['rate'] });
    assert.throws(() => resolve(doc, { allOf: [{ type: 'string' }, { type: 'integer' }] }), /allOf of several schemas/);
  });

  it('refuses a dangling or recursive $ref instead of fuzzing half a schema', () => {
    assert.throws(() => resolve(TEST_DOC, { $ref: '#/components/schemas/Nope' }), /unresolved \$ref/);
    const loop = { paths: {}, components: { schemas: { A: { type: 'object', properties: { a: { $ref: '#/components/schemas/A' } } } } } };
    assert.throws(() => resolve(loop, { $ref: '#/components/schemas/A' }), /recursive schema A/);
  });

  it('fills path templates and filters routes by a case-insensitive substring', () => {
    assert.equal(fillPath('/api/orders/{orderNo}/pay', { orderNo: 'A%2FB' }), '/api/orders/A%2FB/pay');
    assert.throws(() => fillPath('/x/{id}', {}), /no value for path parameter id/);
    assert.deepEqual(
      selectRoutes(routes, 'post /api/seckill').map((r) => r.id),
      ['POST /api/seckill/orders'],
    );
    assert.equal(selectRoutes(routes, undefined).length, routes.length);
  });
});
