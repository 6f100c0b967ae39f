import { readFileSync, rmSync, writeFileSync } from 'node:fs';

export const LOCK_FILE = '/run/sklab.lock';

/** The pid of another lab that is still running, from the lock file; undefined if none (or it died). */
export function otherLab(file = LOCK_FILE): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(file, 'utf8').trim());
  } catch {
    return undefined;
  }
  if (!(pid > 0) || pid === process.pid) return undefined;
  try {
    process.kill(pid, 0);
  } catch {
    return undefined;
  }
  // A pid reused by something else is not a lab.
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('lab/main') ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** One lab at a time on a machine: the names are fixed, and the next start sweeps whatever carries them. */
export function takeLock(file = LOCK_FILE): void {
  writeFileSync(file, `${process.pid}\n`);
}

export function releaseLock(file = LOCK_FILE): void {
  try {
    if (Number(readFileSync(file, 'utf8').trim()) === process.pid) rmSync(file, { force: true });
  } catch {
    // no lock
  }
}

/** The lock of a lab that is gone (killed, crashed): called once `otherLab` said nobody holds it. */
export function removeStaleLock(file = LOCK_FILE): void {
  rmSync(file, { force: true });
}
