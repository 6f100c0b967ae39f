import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SaleItemRecord } from '@seckill/persistence';
import { saleStatus, toSaleItem } from './sale-item.mapper';

describe('sale item mapping', () => {
  it('derives the status from the window first, then the stock', () => {
    assert.equal(saleStatus(5, 10, 20, 3), 'upcoming');
    assert.equal(saleStatus(10, 10, 20, 3), 'live');
    assert.equal(saleStatus(15, 10, 20, 0), 'sold_out');
    assert.equal(saleStatus(20, 10, 20, 3), 'ended');
  });

  it('formats prices with two decimals and prefers the Redis stock', () => {
    const record = {
      id: 7, name: 'Kettle', price: '20', seckillPrice: '9.5', stockTotal: 10, stockLeft: 10,
      startTime: new Date('2026-01-01T00:00:00Z'), endTime: new Date('2026-01-02T00:00:00Z'), createdAt: new Date(),
    } as SaleItemRecord;
    const item = toSaleItem(record, 4, Date.parse('2026-01-01T12:00:00Z'));
    assert.deepEqual(item, {
      id: 7, name: 'Kettle', price: '20.00', seckillPrice: '9.50', stockTotal: 10, stockLeft: 4,
      startTime: '2026-01-01T00:00:00.000Z', endTime: '2026-01-02T00:00:00.000Z', status: 'live',
    });
    assert.equal(toSaleItem(record, null, Date.parse('2026-01-01T12:00:00Z')).stockLeft, 10);
  });
});
