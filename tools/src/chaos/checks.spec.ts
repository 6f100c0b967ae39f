import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluate, stillSettling, type Observations } from './checks';
import type { EndState } from './end-state';
import type { ShopperRecord } from './shoppers/records';

const API = 'http://127.0.0.1:3000';
const uuid = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;

/** A shopper whose one attempt went out at `t` and was answered 10 ms later. */
function shopper(i: number, answer: { status: number; code?: string; retryAfterMs?: number }, t = 1000): ShopperRecord {
  return {
    index: i,
    userId: 100 + i,
    requestId: uuid(i),
    clickedAt: t,
    attempts: [{ api: API, sentAt: t, answeredAt: t + 10, ...answer }],
    end: answer.status === 202 ? 'accepted' : 'refused',
    ...(answer.status === 202 ? { uuid: uuid(i), acceptedAt: t + 10 } : {}),
    conflictingFrames: 0,
    socketOpens: 1,
    socketDrops: 0,
  };
}

/**
 * A clean sale of `stock` units to `shoppers`: the first `stock` accepted and SUCCESS everywhere (socket, API,
 * PostgreSQL), the rest refused SOLD_OUT; every request overlaps every other (all sent at t = 1000).
 */
function cleanSale(stock = 3, shoppers = 100): Observations {
  const records = Array.from({ length: shoppers }, (_, i) => shopper(i, i < stock ? { status: 202 } : { status: 409, code: 'SOLD_OUT' }));
  for (const r of records.slice(0, stock)) r.outcome = { status: 'SUCCESS', orderNo: `NO-${r.index}`, at: 2000, via: 'push' };
  const end: EndState = {
    at: 5000,
    stockTotal: stock,
    stockLeft: 0,
    orders: records.slice(0, stock).map((r) => ({ uuid: uuid(r.index), userId: r.userId, orderNo: `NO-${r.index}`, status: 'UNPAID' })),
    requests: records.slice(0, stock).map((r) => ({ uuid: uuid(r.index), userId: r.userId, status: 'SUCCESS', reason: null, orderNo: `NO-${r.index}` })),
    redisCounter: 0,
    requestStates: Object.fromEntries(records.slice(0, stock).map((r) => [uuid(r.index), 'CLAIMED'])),
    api: Object.fromEntries(records.slice(0, stock).map((r) => [uuid(r.index), { status: 'SUCCESS', orderNo: `NO-${r.index}` }])),
    parkingLots: [{ queue: 'seckill.order.pending.parking-lot', messages: 0 }],
    errors: [],
  };
  return {
    stock,
    shoppers,
    saleStartedAt: 900,
    records,
    page: [{ route: 'GET /api/orders', api: API, at: 1500, status: 200 }],
    fault: { startedAt: 1005, endedAt: 1500, effect: { at: 1005, arrived: shoppers - 1, accepted: 1, outcomes: 0 }, marks: [{ at: 1005, what: 'broke' }] },
    readiness: { ms: 1200, perApp: { 'api-1': 1200 } },
    end,
    unexpectedExits: [],
    extra: [],
  };
}

function failed(o: Observations): string[] {
  return evaluate(o).checks.filter((c) => !c.ok).map((c) => c.name);
}

describe('evaluate', () => {
  it('passes a clean sale on every check, with the figures of the table', () => {
    const { figures, checks } = evaluate(cleanSale());
    assert.deepEqual(checks.filter((c) => !c.ok), []);
    assert.ok(checks.length >= 15);
    assert.equal(figures.accepted, 3);
    assert.equal(figures.outcomesReceived, 3);
    assert.equal(figures.lost, 0);
    assert.equal(figures.maxInFlight, 100);
    assert.equal(figures.readyMs, 1200);
    assert.deepEqual(figures.byAnswer, { '202': 3, '409 SOLD_OUT': 97 });
  });

  it('counts a 202 with no outcome in PostgreSQL or the API as lost, and names it', () => {
    const o = cleanSale();
    o.end.requests = o.end.requests.slice(1);
    delete o.end.api[uuid(0)];
    o.records[0]!.outcome = undefined;
    const { figures, checks } = evaluate(o);
    assert.equal(figures.lost, 1);
    const lost = checks.find((c) => c.name === 'nothing lost: every 202 decided')!;
    assert.equal(lost.ok, false);
    assert.match(lost.detail, new RegExp(uuid(0)));
    assert.ok(failed(o).includes("every outcome reached its shopper's socket"));
  });

  it('does not count as lost what only the polling API knows, but says the socket never got it', () => {
    const o = cleanSale();
    o.end.requests = o.end.requests.slice(1);
    o.records[0]!.outcome = undefined;
    const { figures } = evaluate(o);
    assert.equal(figures.lost, 0);
    assert.equal(figures.polled, 1);
    assert.deepEqual(failed(o), ["every outcome reached its shopper's socket"]);
  });

  it('fails a 202 that ended FAIL SOLD_OUT as a broken promise', () => {
    const o = cleanSale();
    o.end.requests[0] = { ...o.end.requests[0]!, status: 'FAIL', reason: 'SOLD_OUT', orderNo: null };
    o.end.api[uuid(0)] = { status: 'FAIL', reason: 'SOLD_OUT' };
    o.records[0]!.outcome = { status: 'FAIL', reason: 'SOLD_OUT', at: 2000, via: 'push' };
    o.end.orders = o.end.orders.slice(1);
    o.end.stockLeft = 1;
    o.end.redisCounter = 1;
    const { figures } = evaluate(o);
    assert.equal(figures.brokenPromises, 1);
    assert.deepEqual(failed(o), ['no broken promises (a 202 that ends FAIL SOLD_OUT)']);
  });

  it('fails an oversell and a shopper with two live orders', () => {
    const o = cleanSale();
    o.end.orders.push({ uuid: uuid(50), userId: o.records[0]!.userId, orderNo: 'NO-X', status: 'UNPAID' });
    const { figures } = evaluate(o);
    assert.equal(figures.oversold, 1);
    assert.equal(figures.duplicates, 1);
    assert.ok(failed(o).includes('no oversell'));
    assert.ok(failed(o).includes('no duplicates'));
  });

  it('finds stranded units: a reservation left PUBLISHING, and units missing from PostgreSQL', () => {
    const o = cleanSale();
    o.end.requestStates[uuid(77)] = 'PUBLISHING';
    assert.deepEqual(failed(o), ['no stranded units']);
    const p = cleanSale();
    p.end.orders = p.end.orders.slice(1);
    p.end.requests = p.end.requests.slice(1);
    p.records[0]!.end = 'refused';
    p.records[0]!.attempts[0]!.status = 409;
    assert.equal(evaluate(p).figures.stranded, 1, 'stock_total 3 ≠ stock_left 0 + 2 live orders');
    assert.ok(failed(p).includes('no stranded units'));
  });

  it('requires Redis to equal PostgreSQL, a missing counter included', () => {
    const o = cleanSale();
    o.end.redisCounter = null;
    assert.deepEqual(failed(o), ['Redis = PostgreSQL once quiet']);
  });

  it('allows 503 TRY_AGAIN but no other 5xx, on the order route and on every page route', () => {
    const o = cleanSale();
    o.records[5]!.attempts.unshift({ api: API, sentAt: 1000, answeredAt: 1100, status: 503, code: 'TRY_AGAIN', retryAfterMs: 1000 });
    assert.deepEqual(failed(o), []);
    assert.equal(evaluate(o).figures.tryAgainDuringFault, 1);
    o.page = [...o.page, { route: 'GET /api/orders', api: API, at: 1200, status: 500, code: 'INTERNAL' }];
    const check = evaluate(o).checks.find((c) => c.name === 'no 5xx except 503 TRY_AGAIN')!;
    assert.equal(check.ok, false);
    assert.match(check.detail, /GET \/api\/orders → 500 INTERNAL/);
  });

  it('requires Retry-After on every 503', () => {
    const o = cleanSale();
    o.records[5]!.attempts.unshift({ api: API, sentAt: 1000, answeredAt: 1100, status: 503, code: 'TRY_AGAIN' });
    assert.deepEqual(failed(o), ['every 503 carries Retry-After']);
  });

  it('fails a shopper who gave up on 503, or whose order was never answered', () => {
    const o = cleanSale();
    o.records[10]!.end = 'gave-up';
    o.records[10]!.attempts = [{ api: API, sentAt: 1000, answeredAt: 1010, status: 503, code: 'TRY_AGAIN', retryAfterMs: 1000 }];
    assert.deepEqual(failed(o), ['every shopper got a final answer']);
    const p = cleanSale();
    delete p.records[11]!.end;
    p.records[11]!.attempts = [{ api: API, sentAt: 1000, error: 'NO_ANSWER' }];
    assert.deepEqual(failed(p), ['every shopper got a final answer']);
  });

  it('finds outcomes that disagree between the socket, the API and PostgreSQL, and contradicting frames', () => {
    const o = cleanSale();
    o.records[1]!.outcome = { status: 'FAIL', reason: 'INTERNAL', at: 2000, via: 'push' };
    assert.deepEqual(failed(o), ['socket, API and PostgreSQL agree']);
    const p = cleanSale();
    p.records[2]!.conflictingFrames = 1;
    assert.deepEqual(failed(p), ['socket, API and PostgreSQL agree']);
  });

  it('counts an outcome delivered on a reconnected socket as received', () => {
    const o = cleanSale();
    o.records[0]!.outcome!.via = 'reconnect';
    o.records[0]!.socketDrops = 1;
    o.records[0]!.socketOpens = 2;
    const { figures } = evaluate(o);
    assert.deepEqual([figures.pushed, figures.afterReconnect, figures.outcomesReceived], [2, 1, 3]);
    assert.deepEqual(failed(o), []);
  });

  it('fails parked messages, late or missing readiness, and a process that died on its own', () => {
    const o = cleanSale();
    o.end.parkingLots[0]!.messages = 2;
    o.readiness = { ms: 31_000, perApp: { 'api-1': 31_000 } };
    o.unexpectedExits = ['chaos-x-worker-1 (exit 1)'];
    assert.deepEqual(failed(o), ['parking lots empty', "every app ready within 30 s of the fault's end", 'no process died on its own']);
    const p = cleanSale();
    p.readiness = { perApp: { 'api-1': undefined } };
    assert.deepEqual(failed(p), ["every app ready within 30 s of the fault's end"]);
  });

  it('fails a fault that took effect after every shopper had arrived, or once everything was sold and decided, or never came', () => {
    const o = cleanSale();
    o.fault.effect!.arrived = o.shoppers;
    assert.deepEqual(failed(o), ['the fault landed mid-sale']);
    const done = cleanSale();
    done.fault.effect = { at: 1400, arrived: 50, accepted: 3, outcomes: 3 };
    assert.deepEqual(failed(done), ['the fault landed mid-sale'], 'sold out and every 202 decided: nothing at stake');
    const deciding = cleanSale();
    deciding.fault.effect = { at: 1400, arrived: 50, accepted: 3, outcomes: 2 };
    assert.deepEqual(failed(deciding), [], 'sold out but a 202 still undecided: mid-sale');
    const p = cleanSale();
    p.fault = { marks: [] };
    assert.deepEqual(failed(p), ['the fault landed mid-sale']);
  });

  it('fails a sale whose requests did not overlap', () => {
    const o = cleanSale();
    o.records.forEach((r, i) => {
      r.attempts[0]!.sentAt = i * 100;
      r.attempts[0]!.answeredAt = i * 100 + 10;
    });
    assert.deepEqual(failed(o), ['the requests really overlapped']);
  });

  it("reports what the end state could not read, and appends the scenario's own checks", () => {
    const o = cleanSale();
    o.end.errors = ['Redis: connect ECONNREFUSED'];
    o.extra = [{ name: 'SIGTERM: exited by itself with code 0', ok: false, detail: 'exit 1' }];
    assert.deepEqual(failed(o), ['the end state could be read', 'SIGTERM: exited by itself with code 0']);
  });
});

describe('stillSettling', () => {
  it('is empty once everything that can still change has converged', () => {
    assert.deepEqual(stillSettling(cleanSale()), []);
  });

  it('names what is still moving, but not what waiting cannot heal', () => {
    const o = cleanSale();
    o.records[0]!.outcome = undefined;
    o.end.requestStates[uuid(60)] = 'PUBLISHING';
    o.end.redisCounter = 1;
    delete o.readiness;
    assert.deepEqual(stillSettling(o), ['outcomes not yet on their sockets', 'Redis ≠ PostgreSQL', 'reservations PUBLISHING', 'apps not ready']);
    const p = cleanSale();
    p.end.requests[0] = { ...p.end.requests[0]!, status: 'FAIL', reason: 'SOLD_OUT', orderNo: null };
    p.end.api[uuid(0)] = { status: 'FAIL', reason: 'SOLD_OUT' };
    p.records[0]!.outcome = { status: 'FAIL', reason: 'SOLD_OUT', at: 2000, via: 'push' };
    p.end.orders = p.end.orders.slice(1);
    p.end.stockLeft = 1;
    p.end.redisCounter = 1;
    assert.deepEqual(stillSettling(p), [], 'a broken promise is final: waiting will not heal it');
    assert.equal(evaluate(p).figures.brokenPromises, 1);
  });
});
