import { measureSocketMemory } from './bench/product/sockets';

/**
 * `npm run sockets:capacity [-- N]`: holds N (default 10,000) idle sockets on one websocket-notifier and
 * reports its memory per socket. The notifier runs as its own process in an isolated environment; the sockets
 * are opened from this process over loopback, in waves, and the notifier's resident memory is read from /proc
 * before and after. A measurement, not a test: it prints figures and exits. (`npm run bench` runs the same.)
 */
const N = Number(process.argv[2] ?? 10_000);

async function main(): Promise<void> {
  const started = performance.now();
  const m = await measureSocketMemory(N, (opened) => process.stdout.write(`\ropen sockets: ${opened}/${N}`));
  console.log(
    `\n\n${m.sockets} idle sockets held by one notifier (opened in ${m.openSeconds.toFixed(1)} s; ${((performance.now() - started) / 1000).toFixed(0)} s in all)\n` +
      `  notifier RSS before: ${(m.rssBeforeKiB / 1024).toFixed(1)} MiB\n` +
      `  notifier RSS after:  ${(m.rssAfterKiB / 1024).toFixed(1)} MiB\n` +
      `  memory per socket:   ${(m.bytesPerSocket / 1024).toFixed(1)} KiB (${Math.round(m.bytesPerSocket)} bytes)\n` +
      `  all still open:      ${m.allOpen}`,
  );
}

main().catch((err: unknown) => {
  console.error(`socket-capacity: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
