import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { loadConfig } from '@seckill/config';
import type { ConfirmedPublisher } from '@seckill/messaging';
import { asReal, FakePublisher } from '@seckill/testing';
import { PaymentWindowDeclarer } from './payment-window.declarer';

const HOUR_MS = 3_600_000;
const DAY_S = 86_400;

/** The declarer on a publisher whose channel records what is declared on it, on node:test's interval timer. */
function world(t: TestContext, windowSeconds = 900) {
  t.mock.timers.enable({ apis: ['setInterval'] });
  const publisher = new FakePublisher();
  const declarer = new PaymentWindowDeclarer(asReal<ConfirmedPublisher>(publisher), loadConfig({ PAYMENT_WINDOW_SECONDS: String(windowSeconds) }));
  t.after(() => declarer.onApplicationShutdown());
  /** How many times the window queue was asserted on a channel. */
  const declarations = () => publisher.declared.filter((d) => d.method === 'assertQueue').length;
  const tick = async (ms: number) => {
    t.mock.timers.tick(ms);
    await new Promise<void>((resolve) => setImmediate(resolve));
  };
  return { publisher, declarer, declarations, tick };
}

/** The queue and binding a window of `s` seconds needs, spelled out (not computed by the code under test). */
function windowTopology(s: number) {
  const name = `seckill.order.payment-window.${s}s`;
  return [
    {
      method: 'assertQueue',
      args: [
        name,
        {
          durable: true,
          arguments: {
            'x-queue-type': 'quorum',
            'x-message-ttl': s * 1000,
            'x-expires': (s + DAY_S) * 1000,
            'x-dead-letter-exchange': 'seckill.order.delay',
            'x-dead-letter-routing-key': 'order.timeout',
            'x-dead-letter-strategy': 'at-least-once',
            'x-overflow': 'reject-publish',
          },
        },
      ],
    },
    { method: 'bindQueue', args: [name, 'seckill.order.payment', `${s}s`] },
  ];
}

describe('PaymentWindowDeclarer', () => {
  it('declares the queue of the configured window: its TTL, an expiry a day past it, dead-lettered as order.timeout, bound by the window\'s length', async (t) => {
    const w = world(t);
    await w.declarer.ensureDeclared();
    assert.deepEqual(w.publisher.declared, windowTopology(900));

    const short = new FakePublisher();
    await new PaymentWindowDeclarer(asReal<ConfirmedPublisher>(short), loadConfig({ PAYMENT_WINDOW_SECONDS: '60' })).ensureDeclared();
    assert.deepEqual(short.declared, windowTopology(60), 'another window is another queue, never the old one redeclared');
  });

  it('declares once however often, and by however many at once, it is asked', async (t) => {
    const w = world(t);
    await Promise.all([w.declarer.ensureDeclared(), w.declarer.ensureDeclared()]);
    await w.declarer.ensureDeclared();
    assert.equal(w.declarations(), 1);
  });

  it('keeps the declaration for every reconnect: a new channel gets the queue again', async (t) => {
    const w = world(t);
    await w.declarer.onApplicationBootstrap();
    await w.publisher.reconnect();
    await w.publisher.reconnect();
    assert.equal(w.declarations(), 3);
  });

  it('does not hold the start back while RabbitMQ is away: the queue is declared when the channel opens', async (t) => {
    const w = world(t);
    w.publisher.usable = false;
    await w.declarer.onApplicationBootstrap();
    assert.equal(w.declarations(), 0);
    await w.publisher.reconnect();
    assert.deepEqual(w.publisher.declared, windowTopology(900));
  });

  it('fails the start when the broker refuses the declaration', async (t) => {
    const w = world(t);
    w.publisher.failNextDeclaration(new Error('Operation failed: QueueDeclare; 406 (PRECONDITION-FAILED)'));
    await assert.rejects(w.declarer.onApplicationBootstrap(), /PRECONDITION-FAILED/);
  });

  it('declares again every hour (a declaration is use: the queue never expires while in service), one setup kept, a failed refresh waiting for the next', async (t) => {
    const w = world(t);
    await w.declarer.onApplicationBootstrap();
    await w.tick(HOUR_MS - 1);
    assert.equal(w.declarations(), 1);
    await w.tick(1);
    assert.equal(w.declarations(), 2);
    w.publisher.failNextDeclaration(new Error('Channel closed'));
    await w.tick(HOUR_MS);
    assert.equal(w.declarations(), 2);
    await w.tick(HOUR_MS);
    assert.equal(w.declarations(), 3);
    assert.equal(w.publisher.setupCount, 1, 'refreshed, not piled up for the next reconnect');
    await w.publisher.reconnect();
    assert.equal(w.declarations(), 4);
  });

  it('stops refreshing at shutdown', async (t) => {
    const w = world(t);
    await w.declarer.onApplicationBootstrap();
    w.declarer.onApplicationShutdown();
    await w.tick(HOUR_MS * 3);
    assert.equal(w.declarations(), 1);
  });
});
