import { spawnSync } from 'node:child_process';
import { REPO_ROOT } from './rule-files';

export interface PromtoolRun {
  /** null when promtool could not be started at all. */
  code: number | null;
  /** The command line, then what promtool printed (stdout and stderr), for an assertion message. */
  output: string;
}

/** Runs `promtool <args>` in the repository root, so the paths in its output read like the repo's. */
export function promtool(...args: string[]): PromtoolRun {
  const run = spawnSync('promtool', args, { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
  const command = `promtool ${args.join(' ')}`;
  if (run.error) {
    const missing = (run.error as NodeJS.ErrnoException).code === 'ENOENT';
    return {
      code: null,
      output: missing
        ? `${command}: promtool is not on PATH; run scripts/ensure-promtool.sh (npm test does)`
        : `${command}: ${run.error.message}`,
    };
  }
  return { code: run.status, output: `${command}\n${run.stdout}${run.stderr}` };
}
