import { randomBytes } from 'node:crypto';
import { seedSale } from '@seckill/testing';
import type { Bench } from '../bench';
import { CpuWindow, describeCpu, SERVERS } from '../cpu';
import { log, type Sample } from '../measurement';
import type { BenchOptions } from '../options';
import { ratePerSec, rotatingFlood, runWrk, type WrkResult } from '../wrk';
import { ApiFixture } from './api-fixture';

/** Login requests in flight at once during the flood (each loop sends the next as soon as it has an answer). */
const LOGIN_LANES = 64;

/**
 * Order p99 with and without a login flood. The sold-out flood (the busiest order path) is measured alone, then again
 * while 64 loops post wrong passwords for random usernames to /api/auth/login of the same order-api as fast as it
 * answers. order-api runs with the production hashing cost (argon2id, 19 MiB) and, like every bench run,
 * RATE_LIMITS=off: the per-address login limit would answer nearly all of this flood 429 from a single address, so
 * off is the worst case, where only the bounded hashing queue (PASSWORD_HASH_CONCURRENCY + PASSWORD_HASH_QUEUE,
 * 503 TRY_AGAIN beyond) stands between the flood and the order path.
 */
export class LoginFloodBench implements Bench {
  readonly id = 'login-flood' as const;
  readonly label = 'sold-out rejections during a login flood';
  readonly method: string;
  private api?: ApiFixture;
  private itemId = 0;

  constructor(private readonly opts: BenchOptions) {
    this.method =
      `wrk sold-out flood (${opts.threads} thread(s), ${opts.connections} connections, ${opts.durationSec} s) alone, then during ` +
      `${LOGIN_LANES} loops of wrong-password logins for random usernames; argon2id at 19 MiB, RATE_LIMITS=off`;
  }

  async setup(): Promise<void> {
    this.api = await ApiFixture.start('bench-login', Math.min(this.opts.units, 5_000), [], { PASSWORD_HASH_MEMORY_KIB: '19456' });
    this.itemId = await seedSale(this.api.world.env.databaseUrl, { name: 'bench login flood', stock: 0 });
  }

  private wrk(durationSec: number) {
    const api = this.api!;
    return runWrk(rotatingFlood({ baseUrl: api.url, tokensFile: api.world.shoppers.tokensFile, itemId: this.itemId }, this.opts, durationSec));
  }

  async warmup(): Promise<void> {
    await this.wrk(2);
  }

  async run(): Promise<Sample> {
    const api = this.api!;
    const alone = (await this.wrk(this.opts.durationSec)).result;
    const logins = new LoginFlood(api.url, LOGIN_LANES);
    await logins.started;
    const cpu = new CpuWindow({ 'order-api': [api.app.pid!], redis: SERVERS.redis, postgres: SERVERS.postgres });
    let during: WrkResult;
    try {
      during = (await this.wrk(this.opts.durationSec)).result;
    } finally {
      await logins.stop();
    }
    const usage = cpu.stop();
    const p99Alone = alone.latencyUs.p99 / 1000;
    const p99During = during.latencyUs.p99 / 1000;
    const value = ratePerSec(during, 'rotate', [409]);
    const loginRate = logins.answered / logins.seconds;
    log(
      `  order p99 alone ${p99Alone.toFixed(2)} ms, during the login flood ${p99During.toFixed(2)} ms (× ${(p99During / p99Alone).toFixed(2)}); ` +
        `sold-out ${Math.round(ratePerSec(alone, 'rotate', [409]))} → ${Math.round(value)} req/s; ` +
        `logins ${Math.round(loginRate)} /s answered ${JSON.stringify(logins.codes)}; cpu ${describeCpu(usage)}`,
    );
    return {
      value,
      cpu: usage,
      detail: {
        p99AloneMs: p99Alone,
        p99DuringMs: p99During,
        p99Ratio: p99During / p99Alone,
        soldOutAlonePerSec: ratePerSec(alone, 'rotate', [409]),
        latencyAloneUs: alone.latencyUs,
        latencyDuringUs: during.latencyUs,
        codesAlone: alone.codes,
        codesDuring: during.codes,
        loginsPerSec: loginRate,
        loginCodes: logins.codes,
      },
    };
  }

  async teardown(): Promise<void> {
    await this.api?.stop();
    this.api = undefined;
  }
}

/** `lanes` loops posting wrong passwords for random usernames until stopped; answers counted by status. */
class LoginFlood {
  readonly codes: Record<string, number> = {};
  answered = 0;
  seconds = 0;
  /** Resolves once every lane has had its first answer: the flood is on. */
  readonly started: Promise<void>;
  private running = true;
  private readonly lanes: Promise<void>[];
  private readonly begin = performance.now();

  constructor(baseUrl: string, lanes: number) {
    let firstAnswers = 0;
    let onStarted!: () => void;
    this.started = new Promise((r) => (onStarted = r));
    const lane = async () => {
      let first = true;
      while (this.running) {
        const username = `nobody-${randomBytes(6).toString('hex')}`;
        try {
          const res = await fetch(`${baseUrl}/api/auth/login`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ username, password: 'not the password' }),
          });
          await res.arrayBuffer();
          this.codes[res.status] = (this.codes[res.status] ?? 0) + 1;
        } catch {
          this.codes.error = (this.codes.error ?? 0) + 1;
        }
        this.answered++;
        if (first) {
          first = false;
          if (++firstAnswers === lanes) onStarted();
        }
      }
    };
    this.lanes = Array.from({ length: lanes }, lane);
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.lanes);
    this.seconds = (performance.now() - this.begin) / 1000;
  }
}
