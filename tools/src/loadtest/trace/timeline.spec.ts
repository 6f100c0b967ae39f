import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatTimeline, type Proc } from './timeline';

const T = 1_800_000_000_000;

describe('the traced timeline of a burst', () => {
  const procs: Proc[] = [
    {
      role: 'agent',
      pid: '10',
      events: [
        [T + 5, 'client', 202, T + 900, T + 2500],
        [T, 'client', 409, T + 400, null],
        [T + 10, 'client', 409, T + 600, null],
      ],
    },
    {
      role: 'order-api',
      pid: '20',
      events: [
        [T + 100, 'http:req'],
        [T + 150, 'reserve:in'],
        [T + 180, 'reserve', 30, 'RESERVED'],
        [T + 200, 'reserve', 50, 'SOLD_OUT'],
        [T + 880, 'http:res', 202],
        [T + 280, 'loop', 0, 50],
        [T + 300, 'loop', 200, 100],
        [T + 320, 'loop', 0, 10],
      ],
    },
  ];
  const text = formatTimeline(procs);
  const row = (label: string) => text.split('\n').find((l) => l.startsWith(label))?.slice(label.length).trim().split(/\s+/);

  it('times every step from the first order on the wire: count, first, p50, p99, last', () => {
    assert.deepEqual(row('clients: order on the wire'), ['3', '0', '5', '10', '10']);
    assert.deepEqual(row('clients: 409 read'), ['2', '400', '400', '600', '600']);
    assert.deepEqual(row('order-api: 202 written'), ['1', '880', '880', '880', '880']);
    assert.deepEqual(row('clients: order.result read'), ['1', '2500', '2500', '2500', '2500']);
  });

  it('gives a timed step its own duration, by outcome', () => {
    assert.deepEqual(row('order-api: reserve answered RESERVED'), ['1', '180', '180', '180', '180', '30', '30']);
    assert.deepEqual(row('order-api: reserve answered SOLD_OUT'), ['1', '200', '200', '200', '200', '50', '50']);
  });

  it('lists the event-loop stalls of every process during the burst', () => {
    assert.match(text, /order-api 20\s+busy\s+\d+%\s+80\.\.300/);
  });

  it('says so when no client reported', () => {
    assert.match(formatTimeline(procs.slice(1)), /no client records/);
  });
});
