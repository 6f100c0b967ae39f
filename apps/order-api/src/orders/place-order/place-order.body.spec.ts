import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { DomainError } from '@seckill/contracts';
import { parsePlaceOrderBody } from './place-order.body';
import { PlaceOrderDto } from './place-order.dto';

function refused(body: unknown, problem: RegExp): void {
  assert.throws(
    () => parsePlaceOrderBody(body),
    (e: unknown) => e instanceof DomainError && e.code === 'VALIDATION_FAILED' && problem.test(e.message),
  );
}

describe('parsePlaceOrderBody', () => {
  it('accepts an item id, with or without a requestId', () => {
    assert.deepEqual(parsePlaceOrderBody({ seckillGoodId: 1 }), { seckillGoodId: 1 });
    assert.deepEqual(parsePlaceOrderBody({ seckillGoodId: 2_147_483_647, requestId: '0B8F6F3A-8E8C-4C55-9D7C-1F2E3D4C5B6A' }), {
      seckillGoodId: 2_147_483_647,
      requestId: '0B8F6F3A-8E8C-4C55-9D7C-1F2E3D4C5B6A',
    });
    assert.deepEqual(parsePlaceOrderBody({ seckillGoodId: 5, requestId: null }), { seckillGoodId: 5 });
  });

  it('refuses what the DTO refuses', () => {
    for (const body of [undefined, null, 'x', 7, [], [{ seckillGoodId: 1 }]]) refused(body, /JSON object/);
    refused({}, /seckillGoodId must be an integer/);
    refused({ seckillGoodId: '1' }, /integer/);
    refused({ seckillGoodId: 1.5 }, /integer/);
    refused({ seckillGoodId: Number.NaN }, /integer/);
    refused({ seckillGoodId: 0 }, /less than 1/);
    refused({ seckillGoodId: -1 }, /less than 1/);
    refused({ seckillGoodId: 2 ** 40 }, /greater than/);
    refused({ seckillGoodId: 1, requestId: 'abc' }, /requestId must be a UUID/);
    refused({ seckillGoodId: 1, requestId: 42 }, /requestId must be a UUID/);
    refused({ seckillGoodId: 1, price: 0 }, /property price should not exist/);
  });

  it('names every problem at once', () => {
    assert.throws(
      () => parsePlaceOrderBody({ seckillGoodId: 'x', requestId: 'y', extra: 1 }),
      (e: unknown) => e instanceof DomainError && (e.details as { problems: string[] }).problems.length === 3,
    );
  });

  it('agrees with PlaceOrderDto, which documents the body in OpenAPI', () => {
    const samples: Record<string, unknown>[] = [
      { seckillGoodId: 1 }, { seckillGoodId: 0 }, { seckillGoodId: -3 }, { seckillGoodId: 1.25 }, { seckillGoodId: '2' },
      { seckillGoodId: 2_147_483_647 }, { seckillGoodId: 2_147_483_648 }, { seckillGoodId: true }, {},
      { seckillGoodId: 1, requestId: '0b8f6f3a-8e8c-4c55-9d7c-1f2e3d4c5b6a' }, { seckillGoodId: 1, requestId: 'nope' },
      { seckillGoodId: 1, requestId: null }, { seckillGoodId: 1, requestId: 5 }, { seckillGoodId: 1, other: 'x' },
    ];
    for (const body of samples) {
      const dtoAccepts = validateSync(plainToInstance(PlaceOrderDto, body), { whitelist: true, forbidNonWhitelisted: true }).length === 0;
      let parserAccepts = true;
      try {
        parsePlaceOrderBody(body);
      } catch {
        parserAccepts = false;
      }
      assert.equal(parserAccepts, dtoAccepts, JSON.stringify(body));
    }
  });
});
