import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BoundedPool } from './bounded-pool';

/** A task the test finishes by hand. */
function gate<T>(value: T) {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  let started = false;
  return {
    task: async () => {
      started = true;
      await opened;
      return value;
    },
    open,
    get started() {
      return started;
    },
  };
}

describe('BoundedPool', () => {
  it('runs at most `concurrency` tasks, queues `queueLimit` more in order, and refuses the rest at once', async () => {
    const pool = new BoundedPool(2, 1);
    const [a, b, c, d] = [gate('a'), gate('b'), gate('c'), gate('d')];
    const pa = pool.tryRun(a.task);
    const pb = pool.tryRun(b.task);
    const pc = pool.tryRun(c.task);
    const pd = pool.tryRun(d.task);
    assert.ok(pa && pb && pc);
    assert.equal(pd, undefined, 'beyond 2 running + 1 waiting');
    assert.equal(pool.full, true);
    assert.equal(d.started, false);
    assert.deepEqual([a.started, b.started, c.started, pool.running, pool.queued], [true, true, false, 2, 1]);
    a.open();
    assert.equal(await pa, 'a');
    await Promise.resolve();
    assert.deepEqual([c.started, pool.running, pool.queued, pool.full], [true, 2, 0, false], 'the waiter takes the freed slot');
    const pe = pool.tryRun(gate('e').task);
    assert.ok(pe, 'a queue place is free again');
    b.open();
    c.open();
    assert.deepEqual([await pb, await pc], ['b', 'c']);
  });

  it('frees the slot of a task that fails', async () => {
    const pool = new BoundedPool(1, 0);
    await assert.rejects(pool.tryRun(() => Promise.reject(new Error('boom')))!, /boom/);
    assert.equal(pool.running, 0);
    assert.equal(await pool.tryRun(() => Promise.resolve(1)), 1);
  });
});
