import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { hashSync, verifySync } from '@node-rs/argon2';

/** One argon2 call, asked of a hash worker by HashWorkers. */
export type HashJob =
  | { id: number; op: 'hash'; password: string; memoryCost: number }
  | { id: number; op: 'verify'; stored: string; password: string };

export type HashAnswer = { id: number; ok: true; value: string | boolean } | { id: number; ok: false; message: string };

/**
 * A password-hashing thread at the lowest CPU priority. On Linux the nice value belongs to the thread (setpriority
 * with pid 0 changes the calling thread only), so while the event loop has work the scheduler runs it first and
 * argon2 gets the CPU that is left: a login flood waits, the order path does not.
 */
if (parentPort) {
  const port = parentPort;
  try {
    setPriority(0, 19);
  } catch {
    // Not permitted here: the hashes still run off the event loop, at normal priority.
  }
  port.on('message', (job: HashJob) => {
    let answer: HashAnswer;
    try {
      const value =
        job.op === 'hash'
          ? hashSync(job.password, { memoryCost: job.memoryCost, timeCost: 2, parallelism: 1 })
          : safeVerify(job.stored, job.password);
      answer = { id: job.id, ok: true, value };
    } catch (err) {
      answer = { id: job.id, ok: false, message: err instanceof Error ? err.message : String(err) };
    }
    port.postMessage(answer);
  });
}

/** A stored value that is not an argon2 hash verifies as false (as a wrong password), never as an error. */
function safeVerify(stored: string, password: string): boolean {
  try {
    return verifySync(stored, password);
  } catch {
    return false;
  }
}
