import { ConfigError } from '@seckill/config';
import { HELP, parseOptions, UsageError } from './cli-options';
import { runLoadtest } from './run';

/**
 * `npm run loadtest [-- flags]`. Exit codes: 0 every invariant holds, 1 one does not (or the run timed out or
 * failed), 2 bad flags or configuration, 130 interrupted.
 */
async function main(): Promise<number> {
  const argv = process.argv.slice(2).filter((a) => a !== '--');
  let options;
  try {
    options = parseOptions(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`loadtest: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  if (options.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const abort = new AbortController();
  process.on('SIGINT', () => {
    if (abort.signal.aborted) process.exit(130);
    process.stderr.write('\nloadtest: interrupted; stopping the clients and cleaning up (Ctrl-C again to quit at once)\n');
    abort.abort();
  });
  const command = ['npm run loadtest', ...(argv.length ? ['--', ...argv] : [])].join(' ');
  try {
    const { figures } = await runLoadtest(options, { stdout: process.stdout, stderr: process.stderr, command, signal: abort.signal });
    if (abort.signal.aborted) return 130;
    return figures.ok ? 0 : 1;
  } catch (err) {
    if (err instanceof UsageError || err instanceof ConfigError) {
      process.stderr.write(`loadtest: ${err.message}\n`);
      return 2;
    }
    // Expected failures (nothing listening, a refused login) read best as one line; LOADTEST_DEBUG=1 shows where.
    const detail = err instanceof Error ? (process.env.LOADTEST_DEBUG ? (err.stack ?? err.message) : err.message) : String(err);
    process.stderr.write(`loadtest: ${detail}\n`);
    return 1;
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`loadtest: ${String(err)}\n`);
    process.exit(1);
  },
);
