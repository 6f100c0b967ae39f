import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { HashAnswer, HashJob } from './hash-worker';

type Job = HashJob extends infer J ? (J extends HashJob ? Omit<J, 'id'> : never) : never;

interface Slot {
  worker: Worker;
  pending?: { id: number; resolve: (v: string | boolean) => void; reject: (e: Error) => void };
}

/**
 * `size` hash threads (hash-worker.ts), started on first use, one job each at a time; the caller (PasswordHasher's
 * BoundedPool) never has more than `size` jobs out. A thread that dies fails its job and is replaced. An idle
 * thread is unref'd: it never keeps a process alive, while one with a job does (its answer is awaited).
 */
export class HashWorkers {
  private readonly slots: Slot[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly size: number) {}

  run(job: Job): Promise<string | boolean> {
    if (this.closed) return Promise.reject(new Error('password hashing has shut down'));
    const slot = this.slots.find((s) => !s.pending) ?? this.spawn();
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      slot.pending = { id, resolve, reject };
      slot.worker.ref();
      slot.worker.postMessage({ ...job, id } as HashJob);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.splice(0).map((s) => s.worker.terminate()));
  }

  private spawn(): Slot {
    if (this.slots.length >= this.size) throw new Error(`more than ${this.size} hash jobs at once`);
    const worker = new Worker(join(__dirname, 'hash-worker.js'));
    worker.unref();
    const slot: Slot = { worker };
    worker.on('message', (answer: HashAnswer) => {
      const p = slot.pending;
      if (!p || p.id !== answer.id) return;
      slot.pending = undefined;
      worker.unref();
      if (answer.ok) p.resolve(answer.value);
      else p.reject(new Error(answer.message));
    });
    const fail = (err: Error) => {
      const at = this.slots.indexOf(slot);
      if (at >= 0) this.slots.splice(at, 1);
      slot.pending?.reject(err);
      slot.pending = undefined;
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`hash worker exited with ${code}`)));
    this.slots.push(slot);
    return slot;
  }
}
