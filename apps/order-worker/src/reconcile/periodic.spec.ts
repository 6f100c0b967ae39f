import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { Periodic } from './periodic';

const INTERVAL_MS = 30_000;

/**
 * A job whose passes the test ends: each call of `run` is counted and waits for `finish(result)` or
 * `fail(err)`, unless `instant` answers it at once.
 */
function job(t: TestContext) {
  t.mock.timers.enable({ apis: ['setInterval'] });
  const passes: { finish: (result: string) => void; fail: (err: Error) => void }[] = [];
  const state = { instant: undefined as string | undefined };
  const run = () =>
    state.instant !== undefined
      ? Promise.resolve(state.instant)
      : new Promise<string>((finish, fail) => {
          passes.push({ finish, fail });
        });
  let calls = 0;
  const periodic = new Periodic(
    INTERVAL_MS,
    () => {
      calls++;
      return run();
    },
    'idle',
  );
  t.after(() => periodic.stop());
  const settled = () => new Promise<void>((resolve) => setImmediate(resolve));
  const tick = async (ms: number) => {
    t.mock.timers.tick(ms);
    await settled();
  };
  return { periodic, passes, state, calls: () => calls, tick, settled };
}

describe('Periodic', () => {
  it('runs the job every interval once started, and not before', async (t) => {
    const j = job(t);
    j.state.instant = 'done';
    await j.tick(INTERVAL_MS);
    assert.equal(j.calls(), 0, 'not started');
    j.periodic.start();
    await j.tick(INTERVAL_MS - 1);
    assert.equal(j.calls(), 0);
    await j.tick(1);
    assert.equal(j.calls(), 1);
    await j.tick(INTERVAL_MS);
    await j.tick(INTERVAL_MS);
    assert.equal(j.calls(), 3);
  });

  it('never runs two passes at once: ticks during a slow pass are skipped, not queued', async (t) => {
    const j = job(t);
    j.periodic.start();
    await j.tick(INTERVAL_MS);
    assert.equal(j.calls(), 1);
    for (let i = 0; i < 3; i++) await j.tick(INTERVAL_MS);
    assert.equal(j.calls(), 1, 'the slow pass is still running');
    j.passes[0]?.finish('late');
    await j.settled();
    assert.equal(j.calls(), 1, 'nothing was queued behind it');
    await j.tick(INTERVAL_MS);
    assert.equal(j.calls(), 2);
  });

  it('once() runs a pass now and returns its result; during a pass it answers idle at once, without joining it', async (t) => {
    const j = job(t);
    const first = j.periodic.once();
    assert.equal(j.calls(), 1);
    assert.equal(await j.periodic.once(), 'idle');
    assert.equal(j.calls(), 1);
    j.passes[0]?.finish('3 repaired');
    assert.equal(await first, '3 repaired');
    j.state.instant = 'nothing to do';
    assert.equal(await j.periodic.once(), 'nothing to do');
  });

  it('a pass that fails rejects its once(), and the next pass runs as usual', async (t) => {
    const j = job(t);
    const failing = j.periodic.once();
    j.passes[0]?.fail(new Error('Connection terminated unexpectedly'));
    await assert.rejects(failing, /Connection terminated/);
    j.state.instant = 'ok';
    assert.equal(await j.periodic.once(), 'ok');
    assert.equal(j.calls(), 2);
  });

  it('goes on ticking after a failed pass (its run handles its own errors, as the contract asks and the jobs do)', async (t) => {
    t.mock.timers.enable({ apis: ['setInterval'] });
    const outcomes: ('fail' | 'ok')[] = ['fail', 'ok', 'fail', 'ok'];
    const seen: string[] = [];
    const work = async () => {
      if (outcomes.shift() === 'fail') throw new Error('Connection is closed.');
      return 'ok';
    };
    const periodic = new Periodic(INTERVAL_MS, () => work().catch(() => 'failed').then((r) => {
          seen.push(r);
          return r;
        }), 'idle');
    t.after(() => periodic.stop());
    periodic.start();
    for (let i = 0; i < 4; i++) {
      t.mock.timers.tick(INTERVAL_MS);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    assert.deepEqual(seen, ['failed', 'ok', 'failed', 'ok']);
  });

  it('stop() ends the ticks', async (t) => {
    const j = job(t);
    j.state.instant = 'done';
    j.periodic.start();
    await j.tick(INTERVAL_MS);
    j.periodic.stop();
    await j.tick(INTERVAL_MS * 5);
    assert.equal(j.calls(), 1);
  });

  it('does not hold the process open while started', () => {
    // Real timers: an unref'ed one is not among the resources that keep the event loop alive.
    const timeouts = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timeouts();
    const periodic = new Periodic(3_600_000, async () => 'done', 'idle');
    periodic.start();
    try {
      assert.equal(timeouts(), before);
    } finally {
      periodic.stop();
    }
  });
});
