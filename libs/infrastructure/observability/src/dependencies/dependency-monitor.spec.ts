import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DependencyMonitor, type DependencyCheck } from './dependency-monitor';

function switchable(name: DependencyCheck['name'], critical?: boolean) {
  const state = { up: true, calls: 0, hang: false };
  const check: DependencyCheck = {
    name,
    ...(critical === false ? { critical: false } : {}),
    check: async () => {
      state.calls++;
      if (state.hang) return new Promise(() => undefined);
      if (!state.up) throw new Error(`${name} refused`);
      return true;
    },
  };
  return { state, check };
}

const options = { intervalMs: 60_000, downIntervalMs: 60_000, timeoutMs: 50 };

describe('DependencyMonitor', () => {
  it('reports what a probe finds, with the error, and tells listeners only about changes', async () => {
    const pg = switchable('postgres');
    const redis = switchable('redis');
    const monitor = new DependencyMonitor([pg.check, redis.check], options);
    const changes: string[] = [];
    monitor.onChange((name, s) => changes.push(`${name}:${s.up ? 'up' : 'down'}`));
    assert.deepEqual(await monitor.probe(), []);
    pg.state.up = false;
    assert.deepEqual(await monitor.probe(), ['postgres']);
    assert.equal(monitor.status('postgres')?.error, 'postgres refused');
    assert.deepEqual(await monitor.probe(['redis']), [], 'asking about one dependency filters the answer');
    pg.state.up = true;
    assert.deepEqual(await monitor.probe(), []);
    assert.deepEqual(changes, ['postgres:down', 'postgres:up']);
  });

  it('counts a check that does not answer in time as down', async () => {
    const redis = switchable('redis');
    redis.state.hang = true;
    const monitor = new DependencyMonitor([redis.check], options);
    assert.deepEqual(await monitor.probe(), ['redis']);
    assert.match(monitor.status('redis')?.error ?? '', /no answer within 50 ms/);
  });

  it('shares one probe between callers that ask at the same time', async () => {
    const pg = switchable('postgres');
    const monitor = new DependencyMonitor([pg.check], options);
    await Promise.all([monitor.probe(), monitor.probe(), monitor.probe()]);
    assert.equal(pg.state.calls, 1);
  });

  it('keeps the critical flag and treats dependencies it does not watch as up', async () => {
    const pg = switchable('postgres', false);
    pg.state.up = false;
    const monitor = new DependencyMonitor([pg.check], options);
    await monitor.probe();
    assert.deepEqual([monitor.status('postgres')?.up, monitor.status('postgres')?.critical], [false, false]);
    assert.equal(monitor.isUp('rabbitmq'), true);
  });
});
