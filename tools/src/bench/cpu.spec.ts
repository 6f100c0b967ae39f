import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeCpu, parseMachineStat, parsePidStat } from './cpu';

describe('/proc parsing', () => {
  it('reads utime+stime and cutime+cstime even when the command name has spaces and parentheses', () => {
    const line = '4242 (node (worker) 1) S 1 4242 4242 0 -1 4194560 1000 0 0 0 150 50 30 20 20 0 11 0 100 0 0';
    assert.deepEqual(parsePidStat(line), { own: 200, children: 50 });
  });

  it('reads busy and total ticks from the cpu line of /proc/stat', () => {
    const stat = 'cpu  100 10 50 800 40 5 5 0 0 0\ncpu0 50 5 25 400 20 2 3 0 0 0\n';
    assert.deepEqual(parseMachineStat(stat), { busy: 170, total: 1010 });
  });

  it('describes who used the CPU, biggest first', () => {
    const text = describeCpu({ seconds: 5, cores: { wrk: 0.4, 'order-api': 0.98, redis: 0.001 }, machine: 1.9, others: 0.3, machineCores: 2 });
    assert.equal(text, 'order-api 0.98, wrk 0.40, others 0.30 (machine 1.9/2 cores)');
  });
});
