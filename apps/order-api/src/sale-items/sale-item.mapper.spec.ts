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
      startTime: new Date('2026-01-01T00:00:00Z'), endTime: new Date('2026-01-02T00:00:00Z'),
      room: { enabled: false, admitPerSecond: 100, preQueueSeconds: 0 },
    } satisfies SaleItemRecord;
    const item = toSaleItem(record, 4, Date.parse('2026-01-01T12:00:00Z'));
    assert.deepEqual(item, {
      id: 7, name: 'Kettle', price: '20.00', seckillPrice: '9.50', stockTotal: 10, stockLeft: 4,
      startTime: '2026-01-01T00:00:00.000Z', endTime: '2026-01-02T00:00:00.000Z', status: 'live',
    });
    assert.equal(toSaleItem(record, null, Date.parse('2026-01-01T12:00:00Z')).stockLeft, 10);
  });

  it('names the waiting room, and when it opens, only when it is on', () => {
    const record: SaleItemRecord = {
      id: 8, name: 'Drone', price: '500', seckillPrice: '99', stockTotal: 5, stockLeft: 5,
      startTime: new Date('2026-01-01T00:00:00Z'), endTime: new Date('2026-01-02T00:00:00Z'),
      room: { enabled: true, admitPerSecond: 50, preQueueSeconds: 600 },
    };
    assert.deepEqual(toSaleItem(record, 5).waitingRoom, { admitPerSecond: 50, preQueueSeconds: 600, opensAt: '2025-12-31T23:50:00.000Z' });
    assert.equal(toSaleItem({ ...record, room: { ...record.room, enabled: false } }, 5).waitingRoom, undefined);
    assert.equal('waitingRoom' in toSaleItem({ ...record, room: { ...record.room, enabled: false } }, 5), false);
  });
});
