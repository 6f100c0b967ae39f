import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MessageFormatError, parseOrderEvent, parseOrderPlaced, parseOrderResult, parseStockBack } from './messages';

const uuid = '6f1c2d3e-4a5b-46c7-8899-00aabbccddee';

describe('message contracts v1', () => {
  it('parses a valid order message and drops unknown fields', () => {
    const m = parseOrderPlaced(JSON.stringify({ version: 1, uuid, userId: 3, seckillGoodId: 4, placedAt: '2026-01-01T00:00:00Z', extra: 1 }));
    assert.deepEqual(m, { version: 1, uuid, userId: 3, seckillGoodId: 4, placedAt: '2026-01-01T00:00:00Z' });
  });

  it('refuses what is not a v1 order message', () => {
    const bad = [
      '{nope',
      'null',
      '[]',
      JSON.stringify({ version: 2, uuid, userId: 3, seckillGoodId: 4, placedAt: 'x' }),
      JSON.stringify({ version: 1, uuid: 'x', userId: 3, seckillGoodId: 4, placedAt: 'x' }),
      JSON.stringify({ version: 1, uuid, userId: '3', seckillGoodId: 4, placedAt: 'x' }),
      JSON.stringify({ version: 1, uuid, userId: 3, seckillGoodId: -4, placedAt: 'x' }),
      JSON.stringify({ version: 1, uuid, userId: 3, seckillGoodId: 4 }),
    ];
    for (const raw of bad) assert.throws(() => parseOrderPlaced(raw), MessageFormatError, raw);
  });

  it('requires a known reason on a FAIL result', () => {
    const base = { version: 1, type: 'order.result', uuid, userId: 1, seckillGoodId: 2, decidedAt: 'now' };
    assert.equal(parseOrderResult(JSON.stringify({ ...base, status: 'FAIL', reason: 'SOLD_OUT' })).reason, 'SOLD_OUT');
    assert.equal(parseOrderResult(JSON.stringify({ ...base, status: 'SUCCESS', orderNo: '42' })).orderNo, '42');
    assert.throws(() => parseOrderResult(JSON.stringify({ ...base, status: 'FAIL', reason: 'BECAUSE' })), MessageFormatError);
    assert.throws(() => parseOrderResult(JSON.stringify({ ...base, status: 'MAYBE' })), MessageFormatError);
  });

  it('parses stock-back broadcasts', () => {
    assert.deepEqual(parseStockBack('{"version":1,"seckillGoodId":9,"reason":"order.fail"}'), { version: 1, seckillGoodId: 9, reason: 'order.fail' });
  });

  it('tells order events apart by type: results and later status changes', () => {
    const base = { version: 1, uuid, userId: 1, seckillGoodId: 2 };
    const result = parseOrderEvent(JSON.stringify({ ...base, type: 'order.result', status: 'SUCCESS', orderNo: '42', decidedAt: 'now' }));
    assert.deepEqual([result.type, result.status], ['order.result', 'SUCCESS']);
    const status = parseOrderEvent(JSON.stringify({ ...base, type: 'order.status', status: 'PAID', orderNo: '42', at: 'now' }));
    assert.deepEqual([status.type, status.status], ['order.status', 'PAID']);
    assert.throws(() => parseOrderEvent(JSON.stringify({ ...base, type: 'order.status', status: 'SUCCESS', orderNo: '42', at: 'now' })), MessageFormatError);
    assert.throws(() => parseOrderEvent(JSON.stringify({ ...base, type: 'order.result', status: 'PAID', decidedAt: 'now' })), MessageFormatError);
    assert.throws(() => parseOrderEvent('[]'), MessageFormatError);
  });
});
