import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ARTIFACTS } from '@seckill/testing';
import { HELP, parseOptions, UsageError } from './options';
import { renderReport } from './report';
import { runFuzz } from './run';

/** `npm run fuzz [-- flags]`. Exit codes: 0 nothing found, 1 a finding (or the run failed), 2 bad flags. */
async function main(): Promise<number> {
  const argv = process.argv.slice(2).filter((a) => a !== '--');
  let options;
  try {
    options = parseOptions(argv, process.env);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`fuzz: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  if (options.help) {
    process.stdout.write(HELP);
    return 0;
  }
  // A supervisor's stop (a CI timeout, `kill`): exiting runs the exit hooks, which stop the product it started.
  process.once('SIGTERM', () => process.exit(143));
  const log = (s: string) => process.stderr.write(`fuzz: ${s}\n`);
  const summary = await runFuzz(options, log);
  const out = options.out ?? join(ARTIFACTS, 'fuzz', `fuzz-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(summary, null, 2)}\n`);
  process.stdout.write(options.json ? `${JSON.stringify(summary)}\n` : renderReport(summary));
  process.stdout.write(`summary: ${out}\n`);
  return summary.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`fuzz: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
