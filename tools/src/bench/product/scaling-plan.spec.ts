import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bestOfPasses, scalingRows, spreadUnits, type ScalingResult } from './scaling-plan';

describe('scalingRows', () => {
  it('runs the item rows with as many shoppers as the sale has units, then the shopper rows with one item, the shared row once', () => {
    assert.deepEqual(scalingRows([10_000, 1, 100], [1_000, 10_000, 100_000], 10_000), [
      { items: 1, shoppers: 10_000, units: 10_000 },
      { items: 100, shoppers: 10_000, units: 10_000 },
      { items: 10_000, shoppers: 10_000, units: 10_000 },
      { items: 1, shoppers: 1_000, units: 1_000 },
      { items: 1, shoppers: 100_000, units: 10_000 },
    ]);
  });

  it('never sells more units than the row has shoppers (one order each)', () => {
    for (const row of scalingRows([1, 50], [200, 5_000], 2_000)) assert.ok(row.units <= row.shoppers);
  });
});

describe('spreadUnits', () => {
  it('gives item k what shopper j → item j mod items sends it', () => {
    const items = 7;
    const units = 23;
    const sent = new Array<number>(items).fill(0);
    for (let j = 0; j < units; j++) sent[j % items]!++;
    assert.deepEqual(spreadUnits(units, items), sent);
  });

  it('keeps every unit, and leaves items beyond the units at stock 0', () => {
    assert.deepEqual(spreadUnits(10, 4), [3, 3, 2, 2]);
    const many = spreadUnits(3, 10);
    assert.deepEqual(many, [1, 1, 1, 0, 0, 0, 0, 0, 0, 0]);
    assert.equal(spreadUnits(10_000, 100).reduce((a, b) => a + b, 0), 10_000);
  });
});

describe('bestOfPasses', () => {
  const result = (soldOutPerSec: number, acceptedPerSec: number, sellOutSeconds: number): ScalingResult => ({
    items: 1,
    shoppers: 1_000,
    units: 1_000,
    firstTouchPerSec: Number.NaN,
    firstTouchItems: 1,
    soldOutPerSec,
    soldOutCodes: {},
    soldOutP99Ms: 1,
    acceptedPerSec,
    sellOutSeconds,
    sold: 1_000,
    saleCodes: {},
    saleP99Ms: 1,
    orderApiCoresFlood: 1,
    orderApiCoresSale: 1,
  });

  it('keeps the highest rates and the shortest sell-out time of each row, skipping a pass that did not sell out', () => {
    const [row] = bestOfPasses([[result(500, 900, 1.2)], [result(700, 800, Number.NaN)], [result(600, 850, 1.1)]]);
    assert.equal(row!.soldOutPerSec, 700);
    assert.equal(row!.acceptedPerSec, 900);
    assert.equal(row!.sellOutSeconds, 1.1);
    assert.ok(Number.isNaN(row!.firstTouchPerSec));
  });

  it('is the pass itself when there is one', () => {
    const only = [result(1, 2, 3)];
    assert.deepEqual(bestOfPasses([only]), only);
    assert.deepEqual(bestOfPasses([]), []);
  });
});
