import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { AppProcess, createTestEnv, freePort, mintToken, TEST_JWT_SECRET } from '@seckill/testing';

/**
 * `npm run sockets:capacity [-- N]`: holds N (default 10,000) idle sockets on one websocket-notifier and
 * reports its memory per socket. The notifier runs as its own process in an isolated environment; the sockets
 * are opened from this process over loopback, in waves, and the notifier's resident memory is read from /proc
 * before and after. A measurement, not a test: it prints figures and exits.
 */
const N = Number(process.argv[2] ?? 10_000);
const WAVE = 500;

function rssKiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(line?.replace(/\D+/g, '') ?? 0);
}

async function main(): Promise<void> {
  if (!Number.isSafeInteger(N) || N < 1 || N > 15_000) throw new Error('N must be between 1 and 15,000 (file descriptors)');
  const env = await createTestEnv('socket-capacity');
  const notifier = new AppProcess('websocket-notifier', `socket-capacity-${env.id}`, await freePort(), { ...env.vars, LOG_LEVEL: 'warn' });
  const sockets: WebSocket[] = [];
  try {
    await notifier.start();
    const pid = notifier.pid!;
    // Let start-up garbage settle so the baseline is the idle process, not its boot.
    await new Promise((r) => setTimeout(r, 2000));
    const before = rssKiB(pid);
    const token = mintToken(TEST_JWT_SECRET, { id: 1, username: 'capacity' }, 3600);
    const started = performance.now();
    for (let opened = 0; opened < N; opened += WAVE) {
      const wave = Array.from({ length: Math.min(WAVE, N - opened) }, () => {
        const ws = new WebSocket(`ws://127.0.0.1:${notifier.port}/${randomUUID()}?token=${token}`);
        sockets.push(ws);
        return new Promise<void>((resolve, reject) => {
          ws.once('open', () => resolve());
          ws.once('error', reject);
          ws.once('close', (code) => reject(new Error(`socket closed with ${code}`)));
        });
      });
      await Promise.all(wave);
      process.stdout.write(`\ropen sockets: ${opened + wave.length}/${N}`);
    }
    const openMs = performance.now() - started;
    await new Promise((r) => setTimeout(r, 3000));
    const after = rssKiB(pid);
    const perSocket = ((after - before) * 1024) / N;
    console.log(
      `\n\n${N} idle sockets held by one notifier (opened in ${(openMs / 1000).toFixed(1)} s)\n` +
        `  notifier RSS before: ${(before / 1024).toFixed(1)} MiB\n` +
        `  notifier RSS after:  ${(after / 1024).toFixed(1)} MiB\n` +
        `  memory per socket:   ${(perSocket / 1024).toFixed(1)} KiB (${Math.round(perSocket)} bytes)\n` +
        `  all still open:      ${sockets.every((s) => s.readyState === WebSocket.OPEN)}`,
    );
  } finally {
    for (const s of sockets) s.terminate();
    await notifier.stop();
    await env.cleanup();
  }
}

main().catch((err: unknown) => {
  console.error(`socket-capacity: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
