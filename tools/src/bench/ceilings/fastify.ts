import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '@seckill/testing';
import type { Bench } from '../bench';
import { CpuWindow, describeCpu } from '../cpu';
import { log, type Sample } from '../measurement';
import type { BenchOptions } from '../options';
import { ratePerSec, rotatingFlood, runWrk, type WrkRunOptions } from '../wrk';

/** Ceiling 1: a bare Fastify process answering every order POST with order-api's small JSON 409. */
export class FastifyCeiling implements Bench {
  readonly id = 'fastify' as const;
  readonly label = 'bare Fastify, POST → JSON 409';
  readonly method =
    'a Fastify process with one route (the version @nestjs/platform-fastify loads), flooded by wrk with the same request as an order (bearer token, JSON body)';
  private child?: ChildProcess;
  private port = 0;
  version = '';

  constructor(
    private readonly opts: BenchOptions,
    private readonly tokensFile: () => string,
  ) {}

  async setup(): Promise<void> {
    this.port = await freePort();
    const child = spawn(process.execPath, [join(__dirname, 'fastify-server.js'), String(this.port)], { stdio: ['ignore', 'ignore', 'inherit'] });
    this.child = child;
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error('the bare Fastify server exited during start');
      try {
        const res = await fetch(`http://127.0.0.1:${this.port}/health`);
        if (res.ok) {
          this.version = ((await res.json()) as { fastify: string }).fastify;
          log(`bare Fastify ${this.version} listening on ${this.port}`);
          return;
        }
      } catch {
        // not yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the bare Fastify server did not start in 15 s');
  }

  private wrk(durationSec: number): WrkRunOptions {
    return rotatingFlood({ baseUrl: `http://127.0.0.1:${this.port}`, tokensFile: this.tokensFile(), itemId: 1 }, this.opts, durationSec);
  }

  async warmup(): Promise<void> {
    await runWrk(this.wrk(2));
  }

  async run(): Promise<Sample> {
    const cpu = new CpuWindow({ fastify: [this.child!.pid!] });
    const { result } = await runWrk(this.wrk(this.opts.durationSec));
    const usage = cpu.stop();
    const value = ratePerSec(result, 'rotate', [409]);
    log(`  bare Fastify: ${Math.round(value)} req/s; cpu ${describeCpu(usage)}`);
    return { value, cpu: usage, detail: { codes: result.codes, latencyUs: result.latencyUs, errors: result.errors, fastify: this.version } };
  }

  async teardown(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
}
