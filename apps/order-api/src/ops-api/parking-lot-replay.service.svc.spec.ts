import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import { loadConfig } from '@seckill/config';
import { DomainError, ErrorCode } from '@seckill/contracts';
import { afterFailure, onArrival, parkingLotName, QUEUES, Queue, RETRY_DELAYS, retryQueueName, RetryHeader } from '@seckill/messaging';
import { FakeAmqpBroker, recordingLogger } from '@seckill/testing';
import { errorBodyOf } from '../http/error-body';
import { ParkingLotReplayService } from './parking-lot-replay.service';

const RABBITMQ_URL = 'amqp://ops:s3cret@mq.test:5672/sale%2F1';
const PENDING_LOT = parkingLotName(Queue.PENDING);
const MAX_DELIVERIES = 5;

/** The replay over a broker of the test's own (amqplib's connect stands in): every queue of the topology declared. */
function world() {
  const config = loadConfig({ RABBITMQ_URL, MAX_DELIVERIES: String(MAX_DELIVERIES) });
  const broker = new FakeAmqpBroker();
  for (const q of QUEUES) {
    broker.queue(q.name);
    if (q.parkingLot) broker.queue(parkingLotName(q.name));
  }
  const { logger, lines } = recordingLogger();
  const service = new ParkingLotReplayService(config, logger, broker.connect);
  /** Parks `n` messages `{n: 1}`, `{n: 2}`… in `lot`. */
  const park = (lot: string, n: number) => broker.put(lot, ...Array.from({ length: n }, (_, i) => ({ body: { n: i + 1 } })));
  return { broker, service, lines, park };
}

async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('the replay went through');
}

/** What the operator's HTTP call answers with this error (the ErrorFilter's mapping). */
const answered = (err: unknown) => [errorBodyOf(err).body.statusCode, errorBodyOf(err).body.code];

describe('ParkingLotReplayService', () => {
  it('moves every parked message back to its source queue in order, each acked only after its confirm, and answers the count', async () => {
    const w = world();
    w.park(PENDING_LOT, 3);
    assert.deepEqual(await w.service.replay(PENDING_LOT, 'admin'), { queue: PENDING_LOT, to: Queue.PENDING, replayed: 3 });
    assert.deepEqual(w.broker.bodies(Queue.PENDING), [{ n: 1 }, { n: 2 }, { n: 3 }]);
    assert.deepEqual(w.broker.bodies(PENDING_LOT), []);
    assert.deepEqual(w.broker.log, [1, 2, 3].flatMap(() => [`get ${PENDING_LOT}`, `send ${Queue.PENDING}`, 'confirm', 'ack']));
    assert.deepEqual(w.broker.urls, [RABBITMQ_URL]);
    assert.equal(w.broker.connections[0]?.closed, 'Connection closed (by client)', 'a connection of its own, closed after');
    const logged = w.lines.filter((l) => l.msg === 'parking lot replayed');
    assert.deepEqual(logged.map((l) => [l.level, l.obj]), [['warn', { operator: 'admin', parkingLot: PENDING_LOT, to: Queue.PENDING, replayed: 3 }]]);
  });

  it('sends each parking lot back to its own queue, and answers 0 for an empty one', async () => {
    const w = world();
    const consumed = QUEUES.filter((q) => q.parkingLot).map((q) => q.name);
    assert.equal(consumed.length, 4);
    for (const q of consumed) w.broker.put(parkingLotName(q), { body: { from: q } });
    for (const q of consumed) assert.deepEqual(await w.service.replay(parkingLotName(q), 'admin'), { queue: parkingLotName(q), to: q, replayed: 1 });
    for (const q of consumed) assert.deepEqual(w.broker.bodies(q), [{ from: q }]);
    assert.deepEqual(await w.service.replay(PENDING_LOT, 'admin'), { queue: PENDING_LOT, to: Queue.PENDING, replayed: 0 });
  });

  it('gives a replayed message a fresh life: its failure history dropped, the operator and time added, the rest kept', async (t: TestContext) => {
    t.mock.timers.enable({ apis: ['Date'], now: Date.parse('2025-03-01T12:00:00.000Z') });
    const w = world();
    const history = { [RetryHeader.FAILURES]: MAX_DELIVERIES, [RetryHeader.OUTAGES]: 7, [RetryHeader.RETURNS]: 14, 'x-delivery-count': 4 };
    const kept = { [RetryHeader.LAST_ERROR]: 'bad message', 'x-order-uuid': 'b3c1e5d2-0f4a-4a8e-9d7c-2f6b1a9e8c01', 'x-first-death-reason': 'delivery_limit', 'x-first-death-queue': Queue.PENDING };
    const parked = { ...history, ...kept };
    assert.equal(afterFailure(parked, 'failure', MAX_DELIVERIES).kind, 'park', 'as parked, the next failure would park it again at once');
    assert.equal(onArrival(parked)?.kind, 'park', 'and so would its arrival (returns over all copies)');
    w.broker.put(PENDING_LOT, {
      body: { n: 1 },
      properties: { headers: parked, messageId: 'b3c1e5d2-0f4a-4a8e-9d7c-2f6b1a9e8c01', contentType: 'application/json', timestamp: 1_740_000_000, deliveryMode: 1 },
    });
    await w.service.replay(PENDING_LOT, 'ops-anna');
    const [message] = w.broker.queue(Queue.PENDING);
    assert.deepEqual(message?.properties.headers, { ...kept, 'x-replayed-by': 'ops-anna', 'x-replayed-at': '2025-03-01T12:00:00.000Z' });
    assert.deepEqual(
      [message?.properties.messageId, message?.properties.contentType, message?.properties.timestamp, message?.properties.deliveryMode],
      ['b3c1e5d2-0f4a-4a8e-9d7c-2f6b1a9e8c01', 'application/json', 1_740_000_000, 2],
      'same id, type and time; persistent',
    );
    assert.equal(afterFailure(message?.properties.headers, 'failure', MAX_DELIVERIES).kind, 'retry', 'it may fail MAX_DELIVERIES times again');
    assert.equal(onArrival(message?.properties.headers), null);
  });

  it('replays only what was parked when it began: a message its consumer parks again meanwhile waits for the next replay', async () => {
    const w = world();
    w.park(PENDING_LOT, 2);
    // The worker still cannot use them: each one sent back is parked again at once, behind the replay.
    w.broker.consume(Queue.PENDING, (m) => w.broker.queue(PENDING_LOT).push(m));
    assert.equal((await w.service.replay(PENDING_LOT, 'admin')).replayed, 2);
    assert.deepEqual(w.broker.bodies(PENDING_LOT), [{ n: 1 }, { n: 2 }]);
    assert.equal(w.broker.log.filter((l) => l === 'ack').length, 2);
  });

  it('moves at most 10,000 messages in one replay; the next replay takes the rest', async () => {
    const w = world();
    w.park(PENDING_LOT, 10_001);
    assert.equal((await w.service.replay(PENDING_LOT, 'admin')).replayed, 10_000);
    assert.deepEqual(w.broker.bodies(PENDING_LOT), [{ n: 10_001 }]);
    assert.equal(w.broker.queue(Queue.PENDING).length, 10_000);
    assert.equal((await w.service.replay(PENDING_LOT, 'admin')).replayed, 1);
  });

  it('two replays of one lot at once move each message once, and their counts add up', async () => {
    const w = world();
    w.park(PENDING_LOT, 5);
    const [a, b] = await Promise.all([w.service.replay(PENDING_LOT, 'anna'), w.service.replay(PENDING_LOT, 'bob')]);
    assert.equal(a.replayed + b.replayed, 5);
    assert.ok(a.replayed < 5 && b.replayed < 5, 'each found the lot emptier than its count said, and stopped there');
    assert.deepEqual(
      (w.broker.bodies(Queue.PENDING) as { n: number }[]).map((m) => m.n).sort(),
      [1, 2, 3, 4, 5],
    );
    assert.deepEqual(w.broker.bodies(PENDING_LOT), []);
  });

  it('refuses a name that is not a parking lot (unknown, a consumed queue, a delay queue\'s) with 404 NOT_FOUND, without connecting', async () => {
    const w = world();
    w.park(PENDING_LOT, 1);
    for (const name of ['nope', Queue.PENDING, parkingLotName(retryQueueName(RETRY_DELAYS[0])), `${PENDING_LOT}.parking-lot`, '']) {
      const err = await failure(w.service.replay(name, 'admin'));
      assert.ok(err instanceof DomainError, name);
      assert.equal(err.code, ErrorCode.NOT_FOUND, name);
      assert.deepEqual(answered(err), [404, ErrorCode.NOT_FOUND], name);
    }
    assert.deepEqual(w.broker.urls, []);
    assert.equal(w.broker.queue(PENDING_LOT).length, 1);
  });

  it('answers an unreachable RabbitMQ as an outage (503 TRY_AGAIN), not a bug, and moves nothing', async () => {
    const w = world();
    w.park(PENDING_LOT, 1);
    for (const [code, message] of [
      ['ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.7:5672'],
      ['ENOTFOUND', 'getaddrinfo ENOTFOUND mq.test'],
      ['ETIMEDOUT', 'connect ETIMEDOUT 10.0.0.7:5672'],
      ['EHOSTUNREACH', 'connect EHOSTUNREACH 10.0.0.7:5672'],
    ]) {
      w.broker.refuseNext(Object.assign(new Error(message), { code, syscall: 'connect' }));
      const err = await failure(w.service.replay(PENDING_LOT, 'admin'));
      assert.deepEqual(answered(err), [503, ErrorCode.TRY_AGAIN], message);
    }
    assert.equal(w.broker.queue(PENDING_LOT).length, 1);
    assert.equal(w.lines.some((l) => l.msg === 'parking lot replayed'), false);
  });

  it('with RABBITMQ_URL listing a cluster, replays through the first node that accepts, and is 503 only when none does', async () => {
    const nodes = ['amqp://ops:s3cret@mq-1.test:5672/sale%2F1', 'amqp://ops:s3cret@mq-2.test:5672/sale%2F1', 'amqp://ops:s3cret@mq-3.test:5672/sale%2F1'];
    const broker = new FakeAmqpBroker();
    broker.queue(Queue.PENDING);
    broker.queue(PENDING_LOT);
    broker.put(PENDING_LOT, { body: { n: 1 } });
    const service = new ParkingLotReplayService(loadConfig({ RABBITMQ_URL: nodes.join(',') }), recordingLogger().logger, broker.connect);
    const refused = (host: string) => Object.assign(new Error(`connect ECONNREFUSED ${host}`), { code: 'ECONNREFUSED', syscall: 'connect' });
    broker.refuseNext(refused('mq-1.test'));
    assert.deepEqual(await service.replay(PENDING_LOT, 'admin'), { queue: PENDING_LOT, to: Queue.PENDING, replayed: 1 });
    assert.deepEqual(broker.urls, nodes.slice(0, 2), 'the second node, after the first refused');

    broker.urls.length = 0;
    for (const node of nodes) broker.refuseNext(refused(new URL(node).hostname));
    assert.deepEqual(answered(await failure(service.replay(PENDING_LOT, 'admin'))), [503, ErrorCode.TRY_AGAIN]);
    assert.deepEqual(broker.urls, nodes, 'every node tried once');
  });

  it('with amqplib itself (as Nest builds it): a port nothing listens on is answered 503 TRY_AGAIN', async () => {
    const closed = createServer();
    await new Promise<void>((listening) => closed.listen(0, '127.0.0.1', listening));
    const { port } = closed.address() as { port: number };
    await new Promise((done) => closed.close(done));
    const { logger } = recordingLogger();
    const service = new ParkingLotReplayService(loadConfig({ RABBITMQ_URL: `amqp://guest:guest@127.0.0.1:${port}` }), logger);
    assert.deepEqual(answered(await failure(service.replay(PENDING_LOT, 'admin'))), [503, ErrorCode.TRY_AGAIN]);
  });

  it('loses nothing when the connection drops mid-replay: what was not acked is back in the lot (a duplicate at most), and the answer is 503', async () => {
    const w = world();
    w.park(PENDING_LOT, 3);
    w.broker.dropAt('waitForConfirms', 2); // the 2nd message reached its queue, its confirm never came
    assert.deepEqual(answered(await failure(w.service.replay(PENDING_LOT, 'admin'))), [503, ErrorCode.TRY_AGAIN]);
    assert.deepEqual(w.broker.bodies(Queue.PENDING), [{ n: 1 }, { n: 2 }]);
    assert.deepEqual(w.broker.bodies(PENDING_LOT), [{ n: 2 }, { n: 3 }]);

    const v = world();
    v.park(PENDING_LOT, 3);
    v.broker.dropAt('get', 2);
    assert.deepEqual(answered(await failure(v.service.replay(PENDING_LOT, 'admin'))), [503, ErrorCode.TRY_AGAIN]);
    assert.deepEqual(v.broker.bodies(Queue.PENDING), [{ n: 1 }]);
    assert.deepEqual(v.broker.bodies(PENDING_LOT), [{ n: 2 }, { n: 3 }]);
  });

  it('survives a lost connection without an uncaught error, and answers 404 for a parking lot missing on the broker', async () => {
    const w = world();
    w.park(PENDING_LOT, 2);
    w.broker.dropAt('get', 2);
    const lot = parkingLotName(Queue.TIMEOUT);
    w.broker.queues.delete(lot);
    const lost = await failure(w.service.replay(PENDING_LOT, 'admin')).then(answered);
    const missing = await failure(w.service.replay(lot, 'admin')).then(answered);
    assert.deepEqual(w.broker.uncaught, []);
    assert.deepEqual(lost, [503, ErrorCode.TRY_AGAIN]);
    assert.deepEqual(missing, [404, ErrorCode.NOT_FOUND]);
  });

  it('answers 503 TRY_AGAIN when the broker nacks a replayed message, which stays parked', async () => {
    const w = world();
    w.park(PENDING_LOT, 2);
    w.broker.nackNext();
    assert.deepEqual(answered(await failure(w.service.replay(PENDING_LOT, 'admin'))), [503, ErrorCode.TRY_AGAIN]);
    assert.deepEqual(w.broker.bodies(Queue.PENDING), []);
    assert.deepEqual(w.broker.bodies(PENDING_LOT), [{ n: 1 }, { n: 2 }]);
    assert.deepEqual(w.broker.uncaught, []);
  });
});
