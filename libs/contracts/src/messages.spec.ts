import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  MessageFormatError,
  parseOrderEvent,
  parseOrderEvents,
  parseOrderResults,
  parseOrderPlaced,
  parseOrderResult,
  parseOrderStatus,
  parsePaymentWindow,
  parsePaymentWindowBatch,
  parsePaymentWindows,
  parseStockBack,
} from './messages';

const uuid = '6f1c2d3e-4a5b-46c7-8899-00aabbccddee';
const json = (body: unknown): string => JSON.stringify(body);

/** Each body must be refused with a MessageFormatError whose message matches `problem`. */
function refuses(parse: (raw: string) => unknown, cases: [body: string, problem: RegExp][]): void {
  for (const [raw, problem] of cases) {
    assert.throws(() => parse(raw), (e: unknown) => e instanceof MessageFormatError && problem.test(e.message), raw);
  }
}

describe('message contracts v1', () => {
  it('parses a valid order message and drops unknown fields', () => {
    const m = parseOrderPlaced(json({ version: 1, uuid, userId: 3, seckillGoodId: 4, placedAt: '2026-01-01T00:00:00Z', extra: 1 }));
    assert.deepEqual(m, { version: 1, uuid, userId: 3, seckillGoodId: 4, placedAt: '2026-01-01T00:00:00Z' });
    assert.equal(parseOrderPlaced(Buffer.from(json({ version: 1, uuid: uuid.toUpperCase(), userId: Number.MAX_SAFE_INTEGER, seckillGoodId: 4, placedAt: 'x' }))).userId, Number.MAX_SAFE_INTEGER);
  });

  it('refuses what is not a v1 order message, saying why', () => {
    const good = { version: 1, uuid, userId: 3, seckillGoodId: 4, placedAt: 'x' };
    refuses(parseOrderPlaced, [
      ['{nope', /not valid JSON/],
      ['null', /not a JSON object/],
      ['[]', /not a JSON object/],
      ['"text"', /not a JSON object/],
      [json({ ...good, version: 2 }), /unsupported message version 2/],
      [json({ ...good, version: '1' }), /unsupported message version "1"/],
      [json({ ...good, uuid: 'x' }), /uuid: must be a uuid/],
      [json({ ...good, userId: '3' }), /userId: must be a positive integer/],
      [json({ ...good, userId: 1.5 }), /userId: must be a positive integer/],
      [json({ ...good, userId: 2 ** 53 }), /userId: must be a positive integer/],
      [json({ ...good, seckillGoodId: -4 }), /seckillGoodId: must be a positive integer/],
      [json({ ...good, seckillGoodId: 0 }), /seckillGoodId: must be a positive integer/],
      [json({ ...good, placedAt: undefined }), /placedAt: must be a non-empty string/],
      [json({ ...good, placedAt: '' }), /placedAt: must be a non-empty string/],
    ]);
  });

  it('names every problem of a body at once', () => {
    refuses(parseOrderPlaced, [[json({ version: 1, uuid: 'x', userId: 0, seckillGoodId: 4, placedAt: '' }), /uuid: .*; userId: .*; placedAt: /]]);
  });

  it('requires a known reason on a FAIL result and drops one on a SUCCESS', () => {
    const base = { version: 1, type: 'order.result', uuid, userId: 1, seckillGoodId: 2, decidedAt: 'now' };
    assert.deepEqual(parseOrderResult(json({ ...base, status: 'FAIL', reason: 'SOLD_OUT' })), { ...base, status: 'FAIL', reason: 'SOLD_OUT' });
    assert.deepEqual(parseOrderResult(json({ ...base, status: 'SUCCESS', orderNo: '42', reason: 'BECAUSE' })), { ...base, status: 'SUCCESS', orderNo: '42' });
    refuses(parseOrderResult, [
      [json({ ...base, status: 'FAIL', reason: 'BECAUSE' }), /reason: a FAIL result needs a known reason/],
      [json({ ...base, status: 'FAIL' }), /reason: a FAIL result needs a known reason/],
      [json({ ...base, status: 'MAYBE' }), /status: must be SUCCESS or FAIL/],
      [json({ ...base, type: 'order.status', status: 'SUCCESS', orderNo: '42' }), /type: /],
      [json({ ...base, status: 'SUCCESS', orderNo: 42 }), /orderNo: /],
      [json({ ...base, status: 'SUCCESS', decidedAt: '' }), /decidedAt: must be a non-empty string/],
      [json({ ...base, version: 0, status: 'SUCCESS' }), /unsupported message version 0/],
    ]);
  });

  it('parses later status changes of an order', () => {
    const m = { version: 1, type: 'order.status', uuid, userId: 1, seckillGoodId: 2, orderNo: '42', status: 'TIMEOUT', at: 'now' };
    assert.deepEqual(parseOrderStatus(json(m)), m);
    refuses(parseOrderStatus, [
      [json({ ...m, status: 'UNPAID' }), /status: must be PAID, CANCELLED or TIMEOUT/],
      [json({ ...m, orderNo: '' }), /orderNo: must be a non-empty string/],
      [json({ ...m, at: 5 }), /at: must be a non-empty string/],
      [json({ ...m, type: 'order.result' }), /type: /],
    ]);
  });

  it('parses payment windows', () => {
    const m = { version: 1, uuid, orderNo: '42', userId: 1, seckillGoodId: 2 };
    assert.deepEqual(parsePaymentWindow(json({ ...m, extra: true })), m);
    refuses(parsePaymentWindow, [
      [json({ ...m, orderNo: undefined }), /orderNo: must be a non-empty string/],
      [json({ ...m, uuid: 'not-a-uuid' }), /uuid: must be a uuid/],
      [json({ ...m, userId: null }), /userId: must be a positive integer/],
      [json({ ...m, version: 2 }), /unsupported message version 2/],
    ]);
  });

  it('reads a batch of outcomes as the single results it stands for, and any other event as itself', () => {
    const other = '7a1c2d3e-4a5b-46c7-8899-00aabbccddee';
    const batch = {
      version: 1,
      type: 'order.results',
      decidedAt: 'now',
      results: [
        { uuid, userId: 1, seckillGoodId: 2, status: 'SUCCESS', orderNo: '42' },
        { uuid: other, userId: 3, seckillGoodId: 2, status: 'FAIL', reason: 'SOLD_OUT' },
      ],
    };
    const single = { version: 1, type: 'order.result', decidedAt: 'now' } as const;
    const expected = [
      { ...single, uuid, userId: 1, seckillGoodId: 2, status: 'SUCCESS', orderNo: '42' },
      { ...single, uuid: other, userId: 3, seckillGoodId: 2, status: 'FAIL', reason: 'SOLD_OUT' },
    ];
    assert.deepEqual(parseOrderEvents(json(batch)), expected);
    assert.deepEqual(parseOrderResults(json(batch)), expected);
    const status = { version: 1, type: 'order.status', uuid, userId: 1, seckillGoodId: 2, orderNo: '42', status: 'PAID', at: 'now' };
    assert.deepEqual(parseOrderEvents(json(status)), [status]);
    assert.deepEqual(parseOrderResults(json(expected[1])), [expected[1]]);
    for (const parse of [parseOrderEvents, parseOrderResults]) {
      refuses(parse, [
        [json({ ...batch, results: [] }), /results: must list at least one result/],
        [json({ ...batch, results: [batch.results[0], { ...batch.results[1], reason: 'BAD_LUCK' }] }), /results\.1\.reason: a FAIL result needs a known reason/],
        [json({ ...batch, decidedAt: undefined }), /decidedAt: must be a non-empty string/],
        [json({ ...batch, version: 2 }), /unsupported message version 2/],
        ['[]', /not a JSON object/],
      ]);
    }
    refuses(parseOrderResults, [[json(status), /status: must be SUCCESS or FAIL/]]);
  });

  it('parses the payment window of a batch, and reads either shape as a list of orders', () => {
    const order = { uuid, orderNo: '42', userId: 1, seckillGoodId: 2 };
    const other = { uuid: '7a1c2d3e-4a5b-46c7-8899-00aabbccddee', orderNo: '43', userId: 3, seckillGoodId: 2 };
    const batch = { version: 1, orders: [order, other] };
    assert.deepEqual(parsePaymentWindowBatch(json({ ...batch, extra: true })), batch);
    assert.deepEqual(parsePaymentWindows(json(batch)), [order, other]);
    // The single-order shape of earlier releases, still waiting in a queue during an upgrade.
    assert.deepEqual(parsePaymentWindows(json({ version: 1, ...order })), [order]);
    refuses(parsePaymentWindows, [
      [json({ version: 1, orders: [] }), /orders: must list at least one order/],
      [json({ version: 1, orders: {} }), /orders: must be a list of orders/],
      [json({ version: 1, orders: [order, { ...other, orderNo: '' }] }), /orders\.1\.orderNo: must be a non-empty string/],
      [json({ version: 1, orders: [{ ...order, uuid: 'nope' }] }), /orders\.0\.uuid: must be a uuid/],
      [json({ version: 2, orders: [order] }), /unsupported message version 2/],
      [json({ version: 1, ...order, orderNo: undefined }), /orderNo: must be a non-empty string/],
      [json([order]), /not a JSON object/],
    ]);
  });

  it('parses stock-back broadcasts with every known reason and refuses any other', () => {
    assert.deepEqual(parseStockBack('{"version":1,"seckillGoodId":9,"reason":"order.fail"}'), { version: 1, seckillGoodId: 9, reason: 'order.fail' });
    for (const reason of ['restock', 'cancel', 'timeout', 'reconcile']) assert.equal(parseStockBack(json({ version: 1, seckillGoodId: 9, reason })).reason, reason);
    refuses(parseStockBack, [
      [json({ version: 1, seckillGoodId: 9, reason: 'because' }), /reason: must be order.fail, restock, cancel, timeout, reconcile or room/],
      [json({ version: 1, seckillGoodId: 9 }), /reason: /],
      [json({ version: 1, seckillGoodId: 9, reason: '' }), /reason: /],
      [json({ version: 1, seckillGoodId: '9', reason: 'restock' }), /seckillGoodId: must be a positive integer/],
    ]);
  });

  it('tells order events apart by type: results and later status changes', () => {
    const base = { version: 1, uuid, userId: 1, seckillGoodId: 2 };
    const result = parseOrderEvent(json({ ...base, type: 'order.result', status: 'SUCCESS', orderNo: '42', decidedAt: 'now' }));
    assert.deepEqual([result.type, result.status], ['order.result', 'SUCCESS']);
    const failed = parseOrderEvent(json({ ...base, type: 'order.result', status: 'FAIL', reason: 'SALE_ENDED', decidedAt: 'now' }));
    assert.deepEqual([failed.type, failed.status, failed.type === 'order.result' && failed.status === 'FAIL' && failed.reason], ['order.result', 'FAIL', 'SALE_ENDED']);
    const status = parseOrderEvent(json({ ...base, type: 'order.status', status: 'PAID', orderNo: '42', at: 'now' }));
    assert.deepEqual([status.type, status.status], ['order.status', 'PAID']);
    refuses(parseOrderEvent, [
      [json({ ...base, type: 'order.status', status: 'SUCCESS', orderNo: '42', at: 'now' }), /status: must be PAID, CANCELLED or TIMEOUT/],
      [json({ ...base, type: 'order.result', status: 'PAID', decidedAt: 'now' }), /status: must be SUCCESS or FAIL/],
      [json({ ...base, type: 'order.result', status: 'FAIL', reason: 'NOPE', decidedAt: 'now' }), /a FAIL result needs a known reason/],
      [json({ ...base, type: 'order.other', status: 'PAID', orderNo: '42', at: 'now' }), /type: must be order.result or order.status/],
      [json({ ...base, status: 'SUCCESS', orderNo: '42', decidedAt: 'now' }), /type: must be order.result or order.status/],
      ['[]', /not a JSON object/],
    ]);
  });
});
