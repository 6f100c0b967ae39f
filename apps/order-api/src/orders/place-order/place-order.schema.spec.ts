import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorBodyOf } from '../../http/error-body';
import { JsonSchemaPipe } from '../../http/json-schema.pipe';
import { placeOrderBodySchema, type PlaceOrderBody } from './place-order.schema';

/**
 * The schema as order-api runs it: compiled by the controller's JsonSchemaPipe, a refusal answered by the
 * app's error mapping. What passes is what reaches the handler.
 */
describe('placeOrderBodySchema through JsonSchemaPipe', () => {
  const pipe = new JsonSchemaPipe<PlaceOrderBody>(placeOrderBodySchema);

  // The parsed JSON body, then the answer order-api would give: 200 with what the handler received, or the error.
  const post = async (body: unknown) => {
    try {
      return { status: 200, body: { received: pipe.transform(body) } as { received?: unknown; code?: string; message?: string; details?: { problems: string[] } } };
    } catch (e) {
      const mapped = errorBodyOf(e).body;
      return { status: mapped.statusCode, body: mapped as { received?: unknown; code?: string; message?: string; details?: { problems: string[] } } };
    }
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
