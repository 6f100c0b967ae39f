import { measureSocketMemory, socketsAllowed } from './bench/product/sockets';

const HELP = `usage: npm run sockets:capacity [-- N | max] [--no-push]

Holds N idle sockets (default 10,000) on one websocket-notifier and reports its memory per socket, then
publishes one result per socket at once (through RabbitMQ, as order-worker does) and reports how long until
every socket had its frame. The notifier runs as its own process in an isolated environment; the sockets come
from client processes of up to 20,000 sockets each, each from its own loopback address (127.0.0.2, .3, …).

  N          sockets to hold; "max": as many as this machine's file limit allows (RLIMIT_NOFILE hard, now ${socketsAllowed() + 256})
  --no-push  memory only

The notifier needs a file per socket: above the hard limit its limit is raised with prlimit, which takes
CAP_SYS_RESOURCE (root outside a container, or docker run --ulimit nofile=110000 for 100,000 sockets).
A measurement, not a test: it prints figures and exits. (\`npm run bench\` runs the memory part.)`;

function parse(argv: readonly string[]): { n: number; push: boolean } | 'help' {
  let n = 10_000;
  let push = true;
  for (const arg of argv) {
    if (arg === '--help' || arg === '-h') return 'help';
    else if (arg === '--no-push') push = false;
    else if (arg === 'max') n = socketsAllowed();
    else if (/^\d+$/.test(arg) && Number(arg) >= 1) n = Number(arg);
    else throw new Error(`unexpected argument "${arg}" (see --help)`);
  }
  return { n, push };
}

async function main(): Promise<void> {
  const args = parse(process.argv.slice(2));
  if (args === 'help') return console.log(HELP);
  const { n, push } = args;
  const started = performance.now();
  const m = await measureSocketMemory(n, (opened) => process.stdout.write(`\ropen sockets: ${opened}/${n}`), { push });
  console.log(
    `\n\n${m.sockets} idle sockets held by one notifier (opened in ${m.openSeconds.toFixed(1)} s from ${m.clientProcesses} client process(es); ${((performance.now() - started) / 1000).toFixed(0)} s in all)\n` +
      `  notifier RSS before: ${(m.rssBeforeKiB / 1024).toFixed(1)} MiB\n` +
      `  notifier RSS after:  ${(m.rssAfterKiB / 1024).toFixed(1)} MiB (median over 35 s; ${(m.rssAfterRangeKiB[0] / 1024).toFixed(1)}–${(m.rssAfterRangeKiB[1] / 1024).toFixed(1)})\n` +
      `  memory per socket:   ${(m.bytesPerSocket / 1024).toFixed(1)} KiB (${Math.round(m.bytesPerSocket)} bytes)\n` +
      `  all still open:      ${m.allOpen}`,
  );
  if (m.push) {
    console.log(
      `\none result per socket, published at once:\n` +
        `  published in:        ${m.push.publishSeconds.toFixed(2)} s\n` +
        `  first frame after:   ${m.push.firstFrameSeconds.toFixed(2)} s\n` +
        `  last frame after:    ${m.push.lastFrameSeconds.toFixed(2)} s (${m.push.frames} of ${m.sockets} frames received)`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(`socket-capacity: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
