import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WebSocket } from 'ws';
import { frameBit, LocalSockets, RESULT_BIT, type WaitingSocket } from './local-sockets';

const sock = (uuid: string): WaitingSocket => ({ ws: {} as WebSocket, uuid, userId: 1, sent: 0, missedPongs: 0, since: 0, slot: 0, registered: false, owned: true });

describe('LocalSockets', () => {
  it('tells when a uuid gets its first socket and loses its last one', () => {
    const local = new LocalSockets();
    const a1 = sock('a');
    const a2 = sock('a');
    assert.equal(local.add(a1), true);
    assert.equal(local.add(a2), false);
    assert.equal(local.size, 2);
    assert.deepEqual(local.of('a'), [a1, a2]);
    assert.equal(local.remove(a1), false);
    assert.equal(local.remove(a1), false, 'removing twice changes nothing');
    assert.equal(local.size, 1);
    assert.equal(local.remove(a2), true);
    assert.deepEqual(local.uuids(), []);
    assert.equal(local.size, 0);
  });

  it('gives each frame its own bit, so a status can follow the result but nothing is sent twice', () => {
    const bits = [
      frameBit({ type: 'order.result', uuid: 'u', status: 'SUCCESS', orderNo: '1' }),
      frameBit({ type: 'order.result', uuid: 'u', status: 'FAIL', reason: 'SOLD_OUT' }),
      frameBit({ type: 'order.status', uuid: 'u', orderNo: '1', status: 'PAID' }),
      frameBit({ type: 'order.status', uuid: 'u', orderNo: '1', status: 'CANCELLED' }),
      frameBit({ type: 'order.status', uuid: 'u', orderNo: '1', status: 'TIMEOUT' }),
    ];
    assert.deepEqual(bits, [RESULT_BIT, RESULT_BIT, 2, 4, 8]);
  });
});
