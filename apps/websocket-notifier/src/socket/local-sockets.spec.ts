import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WebSocket } from 'ws';
import { frameKey, LocalSockets, type WaitingSocket } from './local-sockets';

const sock = (uuid: string): WaitingSocket => ({ ws: {} as WebSocket, uuid, userId: 1, sent: new Set(), missedPongs: 0, since: 0, slotId: uuid, owned: true });

describe('LocalSockets', () => {
  it('tells when a uuid gets its first socket and loses its last one', () => {
    const local = new LocalSockets();
    const a1 = sock('a');
    const a2 = sock('a');
    assert.equal(local.add(a1), true);
    assert.equal(local.add(a2), false);
    assert.equal(local.size, 2);
    assert.equal(local.remove(a1), false);
    assert.equal(local.remove(a1), false, 'removing twice changes nothing');
    assert.equal(local.remove(a2), true);
    assert.deepEqual(local.uuids(), []);
    assert.equal(local.size, 0);
  });

  it('keys frames so a status can follow the result but nothing is sent twice', () => {
    assert.equal(frameKey({ type: 'order.result', uuid: 'u', status: 'SUCCESS', orderNo: '1' }), 'result');
    assert.equal(frameKey({ type: 'order.status', uuid: 'u', orderNo: '1', status: 'PAID' }), 'status:PAID');
  });
});
