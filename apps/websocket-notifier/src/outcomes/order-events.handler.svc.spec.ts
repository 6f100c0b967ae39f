import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { loadConfig } from '@seckill/config';
import { MESSAGE_VERSION, type OrderResultMessage, type OrderStatusMessage } from '@seckill/contracts';
import type { OrderRequestRepository } from '@seckill/persistence';
import type { StockService } from '@seckill/stock';
import { asReal, deliveryOf, FakeOrderRequests, FakeRedis, FakeStock, recordingLogger } from '@seckill/testing';
import { DurableOutcomes } from './durable-outcomes';
import { OrderEventsHandler } from './order-events.handler';
import { SocketRegistry } from '../socket/socket-registry';
import { OutcomeStore } from './outcome-store';

function world() {
  const redis = new FakeRedis();
  const config = loadConfig({});
  const store = new OutcomeStore(redis.asRedis(), asReal<StockService>(new FakeStock()), new SocketRegistry(redis.asRedis(), config), config);
  const { logger } = recordingLogger();
  return { redis, store, handler: new OrderEventsHandler(store, logger) };
}

const failed = (uuid: string): OrderResultMessage => ({
  version: MESSAGE_VERSION,
  type: 'order.result',
  uuid,
  userId: 7,
  seckillGoodId: 1,
  status: 'FAIL',
  reason: 'SOLD_OUT',
  decidedAt: new Date().toISOString(),
});

describe('OrderEventsHandler', () => {
  it('stores an outcome and a later status as the frames a socket is sent', async () => {
    const w = world();
    const uuid = randomUUID();
    assert.equal(await w.handler.handle(deliveryOf(failed(uuid))), 'ack');
    const cancelled: OrderStatusMessage = { version: MESSAGE_VERSION, type: 'order.status', uuid, userId: 7, seckillGoodId: 1, orderNo: '1', status: 'CANCELLED', at: new Date().toISOString() };
    assert.equal(await w.handler.handle(deliveryOf(cancelled)), 'ack');
    assert.deepEqual(await w.store.read(uuid), {
      userId: 7,
      frames: [
        { type: 'order.result', uuid, status: 'FAIL', reason: 'SOLD_OUT' },
        { type: 'order.status', uuid, orderNo: '1', status: 'CANCELLED' },
      ],
    });
  });

  it('parks an event that can never be parsed, and lets a Redis fault through for the consumer to wait out', async () => {
    const w = world();
    const uuid = randomUUID();
    assert.equal(await w.handler.handle(deliveryOf({ ...failed(uuid), status: 'MAYBE' })), 'park');
    const fault = new Error('Connection is closed.');
    w.redis.failNext(fault);
    await assert.rejects(w.handler.handle(deliveryOf(failed(uuid))), fault);
    assert.equal(await w.store.read(uuid), null);
  });
});

describe('DurableOutcomes', () => {
  it('turns PostgreSQL\'s outcomes into the frames a socket would have been sent', async () => {
    const requests = new FakeOrderRequests();
    const durable = new DurableOutcomes(asReal<OrderRequestRepository>(requests));
    const [lost, unpaid, timedOut, unknown] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    requests.recorded.set(lost, { uuid: lost, userId: 7, seckillGoodId: 1, status: 'FAIL', reason: 'ALREADY_ORDERED' });
    requests.recorded.set(unpaid, { uuid: unpaid, userId: 8, seckillGoodId: 1, status: 'SUCCESS', orderNo: '11' });
    requests.recorded.set(timedOut, { uuid: timedOut, userId: 9, seckillGoodId: 1, status: 'SUCCESS', orderNo: '12' });
    requests.orderStatus.set(timedOut, 'TIMEOUT');
    const found = await durable.find([lost, unpaid, timedOut, unknown]);
    assert.deepEqual(Object.fromEntries(found), {
      [lost]: { userId: 7, frames: [{ type: 'order.result', uuid: lost, status: 'FAIL', reason: 'ALREADY_ORDERED' }] },
      [unpaid]: { userId: 8, frames: [{ type: 'order.result', uuid: unpaid, status: 'SUCCESS', orderNo: '11' }] },
      [timedOut]: {
        userId: 9,
        frames: [
          { type: 'order.result', uuid: timedOut, status: 'SUCCESS', orderNo: '12' },
          { type: 'order.status', uuid: timedOut, orderNo: '12', status: 'TIMEOUT' },
        ],
      },
    });
  });
});
