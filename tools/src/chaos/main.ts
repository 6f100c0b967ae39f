import { HELP, parseOptions, UsageError } from './cli-options';
import { SCENARIOS } from './scenarios';
import { runSuite } from './suite';

/**
 * `npm run chaos [-- flags]`. Exit codes: 0 every check held, 1 one did not (or the run failed), 2 bad flags,
 * 130 interrupted.
 */
async function main(): Promise<number> {
  const argv = process.argv.slice(2).filter((a) => a !== '--');
  let options;
  try {
    options = parseOptions(argv, SCENARIOS.map((s) => s.name));
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`chaos: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  if (options.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (options.list) {
    for (const s of SCENARIOS) process.stdout.write(`${s.name.padEnd(24)} ${s.title} (${s.fault})\n${''.padEnd(25)}${s.proves}\n`);
    return 0;
  }
  const abort = new AbortController();
  process.on('SIGINT', () => {
    // The second Ctrl-C leaves at once; the exit hooks still stop the private servers and the processes.
    if (abort.signal.aborted) process.exit(130);
    process.stderr.write('\nchaos: interrupted; stopping the scenario and removing the private servers (Ctrl-C again to quit at once)\n');
    abort.abort();
  });
  // A supervisor's stop (a CI timeout, `kill`): Node would end without its exit hooks and leave the product's
  // processes and the private servers running; exiting runs them, which stop both.
  process.once('SIGTERM', () => process.exit(143));
  const selected = options.only.length > 0 ? SCENARIOS.filter((s) => options.only.includes(s.name)) : SCENARIOS;
  const command = ['npm run chaos', ...(argv.length ? ['--', ...argv] : [])].join(' ');
  const report = await runSuite(selected, {
    out: process.stdout,
    signal: abort.signal,
    command,
    writeDocs: options.writeDocs,
    ...(options.out !== undefined ? { jsonPath: options.out } : {}),
  });
  if (report.interrupted) return 130;
  return report.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`chaos: ${err instanceof Error ? (process.env.CHAOS_DEBUG ? (err.stack ?? err.message) : err.message) : String(err)}\n`);
    process.exit(1);
  },
);
