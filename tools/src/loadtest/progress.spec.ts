import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { bar, ProgressLine, renderProgress } from './progress';
import { emptyCounts } from './protocol';

describe('progress', () => {
  it('draws answered, in flight and not yet sent in three shades', () => {
    assert.equal(bar(5, 3, 10, 10), '█████▒▒▒░░');
    assert.equal(bar(0, 0, 0, 4), '░░░░');
    assert.equal(bar(10, 5, 10, 4), '████', 'never wider than asked');
  });

  it('shows sent, answered and outcomes during the sale', () => {
    const counts = { ...emptyCounts(), sent: 20_000, answered: 15_000, accepted: 1_000, pushed: 800, polled: 2 };
    const line = renderProgress({ phase: 'fire', shoppers: 20_000, counts, elapsedMs: 1234 }, 8);
    assert.equal(line, 'sale     ██████▒▒ sent 20,000/20,000 · answered 15,000 (1,000 accepted) · outcomes 802/1,000 pushed 800 polled 2 · 1.2s');
    const retrying = renderProgress({ phase: 'fire', shoppers: 20_000, counts: { ...counts, retried: 354, gaveUp: 3 }, elapsedMs: 1234 }, 8);
    assert.match(retrying, / · 354 retried · 3 gave up · 1\.2s$/);
  });

  it('shows sockets while preparing', () => {
    const counts = { ...emptyCounts(), socketsOpen: 500, socketsFailed: 1, connectionsOpen: 400 };
    assert.match(renderProgress({ phase: 'prepare', shoppers: 1000, counts, elapsedMs: 500 }, 4), /^opening {2}██░░ sockets 500\/1,000 \(1 failed\) · connections 400 · 0\.5s$/);
  });

  it('redraws in place on a terminal and writes plain lines, rarely, elsewhere', () => {
    const tty = Object.assign(new PassThrough(), { isTTY: true, columns: 80 });
    let out = '';
    tty.on('data', (c: Buffer) => (out += c.toString()));
    const p = new ProgressLine(tty, true);
    p.update('one');
    p.update('two');
    assert.equal(out, '\r\x1b[2Kone\r\x1b[2Ktwo');

    const pipe = new PassThrough();
    let plain = '';
    pipe.on('data', (c: Buffer) => (plain += c.toString()));
    const q = new ProgressLine(pipe, true, 60_000);
    q.update('one');
    q.update('two');
    q.update('three', true);
    assert.equal(plain, 'one\nthree\n');

    const off = new ProgressLine(pipe, false);
    off.update('never');
    assert.equal(plain, 'one\nthree\n');
  });
});
