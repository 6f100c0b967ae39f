import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { AppProcess, createTestEnv, freePort, mintToken, TEST_JWT_SECRET } from '@seckill/testing';
import type { Bench } from '../bench';
import { rssKiB } from '../cpu';
import { log, type Sample } from '../measurement';
import type { BenchOptions } from '../options';

export interface SocketMemory {
  sockets: number;
  rssBeforeKiB: number;
  rssAfterKiB: number;
  bytesPerSocket: number;
  openSeconds: number;
  allOpen: boolean;
}

const WAVE = 500;

/**
 * Holds `n` idle sockets on one websocket-notifier (its own process, isolated environment) and reads its
 * resident memory from /proc before and after. The sockets are opened from this process over loopback, in
 * waves of 500; each waits on its own random uuid with a valid token. (Also behind `npm run sockets:capacity`.)
 */
export async function measureSocketMemory(n: number, progress: (opened: number) => void = () => undefined): Promise<SocketMemory> {
  if (!Number.isSafeInteger(n) || n < 1 || n > 15_000) throw new Error('the socket count must be between 1 and 15,000 (file descriptors)');
  const env = await createTestEnv('socket-capacity');
  const notifier = new AppProcess('websocket-notifier', `socket-capacity-${env.id}`, await freePort(), {
    ...env.vars,
    LOG_LEVEL: 'warn',
    // One user holds every socket, each on a uuid nobody orders: lift the per-user limit and the bounded wait.
    RATE_LIMITS: 'off',
    NOTIFIER_UNOWNED_WAIT_MS: String(3_600_000),
  });
  const sockets: WebSocket[] = [];
  try {
    await notifier.start();
    const pid = notifier.pid!;
    // Let start-up garbage settle so the baseline is the idle process, not its boot.
    await new Promise((r) => setTimeout(r, 2000));
    const before = rssKiB(pid);
    const token = mintToken(TEST_JWT_SECRET, { id: 1, username: 'capacity' }, 3600);
    const started = performance.now();
    for (let opened = 0; opened < n; opened += WAVE) {
      const wave = Array.from({ length: Math.min(WAVE, n - opened) }, () => {
        const ws = new WebSocket(`ws://127.0.0.1:${notifier.port}/${randomUUID()}?token=${token}`);
        sockets.push(ws);
        return new Promise<void>((resolve, reject) => {
          ws.once('open', () => resolve());
          ws.once('error', reject);
          ws.once('close', (code) => reject(new Error(`socket closed with ${code}`)));
        });
      });
      await Promise.all(wave);
      progress(opened + wave.length);
    }
    const openSeconds = (performance.now() - started) / 1000;
    await new Promise((r) => setTimeout(r, 3000));
    const after = rssKiB(pid);
    return {
      sockets: n,
      rssBeforeKiB: before,
      rssAfterKiB: after,
      bytesPerSocket: ((after - before) * 1024) / n,
      openSeconds,
      allOpen: sockets.every((s) => s.readyState === WebSocket.OPEN),
    };
  } finally {
    for (const s of sockets) s.terminate();
    await notifier.stop();
    await env.cleanup();
  }
}

/** 10,000 idle sockets on one notifier: memory per socket (once: a memory figure, not a throughput). */
export class SocketMemoryBench implements Bench {
  readonly id = 'sockets' as const;
  readonly label = 'idle sockets on one notifier: memory per socket';
  readonly unit = 'bytes' as const;
  readonly firstRoundOnly = true;
  readonly method: string;

  constructor(private readonly opts: BenchOptions) {
    this.method = `${opts.sockets} idle sockets opened over loopback on one websocket-notifier; its RSS from /proc before and after, divided by the sockets`;
  }

  async setup(): Promise<void> {}

  async run(): Promise<Sample> {
    const m = await measureSocketMemory(this.opts.sockets);
    log(`  ${m.sockets} sockets: RSS ${(m.rssBeforeKiB / 1024).toFixed(1)} → ${(m.rssAfterKiB / 1024).toFixed(1)} MiB, ${(m.bytesPerSocket / 1024).toFixed(1)} KiB per socket${m.allOpen ? '' : ' (some closed!)'}`);
    return { value: m.bytesPerSocket, detail: { ...m } };
  }

  async teardown(): Promise<void> {}
}
