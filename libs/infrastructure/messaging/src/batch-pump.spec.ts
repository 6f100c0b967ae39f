import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BatchPump } from './batch-pump';

interface Running {
  items: number[];
  finish(): Promise<void>;
  fail(err: Error): Promise<void>;
}

/**
 * A pump whose batches finish only when the test says so, and whose deferred first cut runs only on `tick()`
 * (standing in for the event-loop turn that lets one socket read's messages join one batch).
 */
function harness(maxBatch: number, maxInFlight: number) {
  const deferred: (() => void)[] = [];
  const running: Running[] = [];
  const started: number[][] = [];
  const errors: unknown[] = [];
  let peak = 0;
  const pump = new BatchPump<number>(
    { maxBatch, maxInFlight, defer: (fn) => deferred.push(fn) },
    (batch) => {
      started.push(batch);
      let resolve!: () => void;
      let reject!: (err: Error) => void;
      const done = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
      // The batch leaves `running` before its promise settles, so a batch started by the pump afterwards can
      // only find the batches that are really still running.
      const end = async (settle: () => void): Promise<void> => {
        running.splice(running.indexOf(entry), 1);
        settle();
        await flush();
      };
      const entry: Running = {
        items: batch,
        finish: () => end(() => resolve()),
        fail: (err) => end(() => reject(err)),
      };
      running.push(entry);
      peak = Math.max(peak, running.length);
      return done;
    },
    (err) => errors.push(err),
  );
  return {
    pump,
    running,
    started,
    errors,
    peak: () => peak,
    tick: () => {
      for (const fn of deferred.splice(0)) fn();
    },
    pending: () => deferred.length,
  };
}

/** Lets every promise reaction already queued run (a macrotask comes after all microtasks): no timing involved. */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('BatchPump', () => {
  it('cuts what is waiting into batches and runs no more than maxInFlight at once', async () => {
    const h = harness(3, 2);
    for (let i = 0; i < 10; i++) h.pump.push(i);
    assert.equal(h.started.length, 0, 'nothing starts before the deferred cut');
    assert.equal(h.pending(), 1, 'one cut is scheduled, not one per message');
    h.tick();
    assert.deepEqual(h.started, [[0, 1, 2], [3, 4, 5]]);
    assert.deepEqual([h.pump.inFlight, h.pump.waiting], [2, 4]);
    h.pump.push(10);
    assert.equal(h.pending(), 0, 'no cut is scheduled while every slot is busy');
  });

  it('lets batches finish out of order, filling a freed slot at once with what piled up', async () => {
    const h = harness(3, 2);
    for (let i = 0; i < 8; i++) h.pump.push(i);
    h.tick();
    const [first, second] = h.running;
    await second!.finish();
    assert.deepEqual(h.started.at(-1), [6, 7], 'the slot freed by the second batch went to the waiting items');
    assert.deepEqual(h.running.map((r) => r.items), [[0, 1, 2], [6, 7]]);
    await first!.finish();
    assert.equal(h.pump.inFlight, 1);
    await h.running[0]!.finish();
    assert.deepEqual([h.pump.inFlight, h.pump.waiting], [0, 0]);
  });

  it('under a trickle hands over each message alone, several at once', async () => {
    const h = harness(500, 3);
    h.pump.push(1);
    h.tick();
    h.pump.push(2);
    h.tick();
    assert.deepEqual(h.started, [[1], [2]]);
    assert.equal(h.pump.inFlight, 2);
  });

  it('never exceeds its bounds and runs every item exactly once, in arrival order, whatever the finishing order', async () => {
    for (let trial = 0; trial < 50; trial++) {
      const maxBatch = 1 + Math.floor(Math.random() * 5);
      const maxInFlight = 1 + Math.floor(Math.random() * 4);
      const h = harness(maxBatch, maxInFlight);
      const total = Math.floor(Math.random() * 60);
      let pushed = 0;
      while (pushed < total || h.running.length > 0 || h.pending() > 0) {
        const r = Math.random();
        if (pushed < total && r < 0.5) h.pump.push(pushed++);
        else if (h.pending() > 0 && r < 0.7) h.tick();
        else if (h.running.length > 0) {
          const victim = h.running[Math.floor(Math.random() * h.running.length)]!;
          await (Math.random() < 0.2 ? victim.fail(new Error('boom')) : victim.finish());
        } else h.tick();
      }
      await h.pump.whenIdle();
      assert.ok(h.peak() <= maxInFlight, `peak ${h.peak()} > ${maxInFlight}`);
      assert.ok(h.started.every((b) => b.length >= 1 && b.length <= maxBatch));
      assert.deepEqual(h.started.flat(), Array.from({ length: total }, (_, i) => i));
    }
  });

  it('is idle only once every batch in flight has finished and nothing waits (graceful stop)', async () => {
    const h = harness(2, 2);
    const events: string[] = [];
    assert.equal(await h.pump.whenIdle().then(() => 'idle'), 'idle', 'an unused pump is idle at once');
    for (let i = 0; i < 5; i++) h.pump.push(i);
    const idle = h.pump.whenIdle().then(() => events.push('idle'));
    h.tick();
    const [a, b] = h.running;
    await b!.finish();
    events.push('second finished');
    await a!.finish();
    events.push('first finished');
    assert.deepEqual(h.running.map((r) => r.items), [[4]], 'the last item still runs');
    assert.deepEqual(events, ['second finished', 'first finished'], 'not idle while a batch runs');
    await h.running[0]!.finish();
    await idle;
    assert.deepEqual(events, ['second finished', 'first finished', 'idle']);
  });

  it('is not idle while a message waits for its cut', async () => {
    const h = harness(5, 1);
    h.pump.push(1);
    let idle = false;
    const waiting = h.pump.whenIdle().then(() => (idle = true));
    await flush();
    assert.equal(idle, false);
    h.tick();
    await h.running[0]!.finish();
    await waiting;
    assert.equal(idle, true);
  });

  it('reports a batch that rejects and frees its slot', async () => {
    const h = harness(1, 1);
    h.pump.push(1);
    h.pump.push(2);
    h.tick();
    await h.running[0]!.fail(new Error('bug'));
    assert.deepEqual(h.errors.map((e) => (e as Error).message), ['bug']);
    assert.deepEqual(h.started, [[1], [2]]);
    await h.running[0]!.finish();
    await h.pump.whenIdle();
  });

  it('refuses bounds that are not positive integers', () => {
    const run = async () => undefined;
    assert.throws(() => new BatchPump({ maxBatch: 0, maxInFlight: 1 }, run, () => undefined), /maxBatch/);
    assert.throws(() => new BatchPump({ maxBatch: 1, maxInFlight: 1.5 }, run, () => undefined), /maxInFlight/);
  });
});
