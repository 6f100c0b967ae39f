import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WaitQueue } from './wait-queue';

describe('WaitQueue', () => {
  it('ends each wait exactly when it is due, in the order they started, with one timer', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
    const ended: [string, number][] = [];
    const q = new WaitQueue<string>(1000, (id) => ended.push([id, Date.now()]));
    q.add('a');
    t.mock.timers.tick(300);
    q.add('b');
    q.add('c');
    t.mock.timers.tick(699);
    assert.deepEqual(ended, []);
    t.mock.timers.tick(1);
    assert.deepEqual(ended, [['a', 1000]]);
    t.mock.timers.tick(300);
    assert.deepEqual(ended, [['a', 1000], ['b', 1300], ['c', 1300]]);
    assert.equal(q.size, 0);
    t.mock.timers.tick(2700);
    q.add('d');
    t.mock.timers.tick(1000);
    assert.deepEqual(ended.at(-1), ['d', 5000], 'an empty queue starts its timer again');
  });

  it('stops: nothing ends after stop()', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
    const ended: number[] = [];
    const q = new WaitQueue<number>(10, (i) => ended.push(i));
    q.add(0);
    q.stop();
    t.mock.timers.tick(100);
    assert.deepEqual(ended, []);
  });
});
