import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fastify, { type FastifyInstance } from 'fastify';
import { AJV_CUSTOM_OPTIONS } from '../../http/ajv-options';
import { errorBodyOf } from '../../http/error-body';
import { placeOrderBodySchema } from './place-order.schema';

/**
 * The schema as order-api runs it: compiled by Fastify with the app's ajv options, a refusal answered by the
 * app's error mapping. The route echoes what reached the handler.
 */
describe('placeOrderBodySchema on a Fastify route', () => {
  let app: FastifyInstance;
  before(async () => {
    app = fastify({ ajv: { customOptions: AJV_CUSTOM_OPTIONS } });
    app.setErrorHandler((e, _req, reply) => {
      const { body } = errorBodyOf(e);
      void reply.status(body.statusCode).send(body);
    });
    app.post('/orders', { schema: { body: placeOrderBodySchema } }, (req) => ({ received: req.body }));
    await app.ready();
  });
  after(() => app.close());

  const post = async (body: unknown) => {
    const res = await app.inject({ method: 'POST', url: '/orders', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) });
    return { status: res.statusCode, body: res.json<{ received?: unknown; code?: string; message?: string; details?: { problems: string[] } }>() };
  };

  async function refused(body: unknown, problem: RegExp): Promise<void> {
    const res = await post(body);
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.equal(res.body.code, 'VALIDATION_FAILED');
    assert.match(res.body.message ?? '', problem, JSON.stringify(body));
    assert.deepEqual(res.body.details?.problems.join('; '), res.body.message);
  }

  it('accepts an item id, with or without a requestId, and passes it on untouched', async () => {
    assert.deepEqual(await post({ seckillGoodId: 1 }), { status: 200, body: { received: { seckillGoodId: 1 } } });
    const upper = { seckillGoodId: 2_147_483_647, requestId: '0B8F6F3A-8E8C-4C55-9D7C-1F2E3D4C5B6A' };
    assert.deepEqual(await post(upper), { status: 200, body: { received: upper } });
    assert.deepEqual(await post({ seckillGoodId: 5, requestId: null }), { status: 200, body: { received: { seckillGoodId: 5, requestId: null } } });
  });

  it('refuses what the contract refuses, naming the field', async () => {
    for (const body of [null, 'x', 7, [], [{ seckillGoodId: 1 }]]) await refused(body, /the body must be a JSON object/);
    await refused({}, /seckillGoodId is required/);
    await refused({ seckillGoodId: '1' }, /seckillGoodId must be integer/);
    await refused({ seckillGoodId: true }, /seckillGoodId must be integer/);
    await refused({ seckillGoodId: 1.5 }, /seckillGoodId must be integer/);
    await refused({ seckillGoodId: 0 }, /seckillGoodId must be >= 1/);
    await refused({ seckillGoodId: -1 }, /seckillGoodId must be >= 1/);
    await refused({ seckillGoodId: 2 ** 31 }, /seckillGoodId must be <= 2147483647/);
    await refused({ seckillGoodId: 2 ** 40 }, /seckillGoodId must be <= 2147483647/);
    await refused({ seckillGoodId: 1, requestId: 'abc' }, /requestId must match pattern/);
    await refused({ seckillGoodId: 1, requestId: 'urn:uuid:0b8f6f3a-8e8c-4c55-9d7c-1f2e3d4c5b6a' }, /requestId must match pattern/);
    await refused({ seckillGoodId: 1, requestId: 42 }, /requestId must be string/);
    await refused({ seckillGoodId: 1, price: 0 }, /property price should not exist/);
  });

  it('names every problem at once', async () => {
    const res = await post({ seckillGoodId: 'x', requestId: 'y', extra: 1 });
    assert.equal(res.status, 400);
    assert.deepEqual(res.body.details?.problems.sort(), ['property extra should not exist', 'requestId must match pattern "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"', 'seckillGoodId must be integer']);
  });
});
