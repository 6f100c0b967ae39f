import { CpuWindow, describeCpu, rssKiB, SERVERS } from '../cpu';
import { log, type Sample } from '../measurement';
import { ratePerSec, runWrk, type WrkRunOptions } from '../wrk';
import type { ApiFixture } from './api-fixture';

/**
 * One round of a rotating wrk flood at order-api: the answers per second with `status` (the flood's expected
 * answer), and order-api's and Redis's CPU meanwhile. Any other answer is logged and kept in the detail.
 */
export async function floodSample(api: ApiFixture, wrk: WrkRunOptions, status: number, what: string): Promise<Sample> {
  const cpu = new CpuWindow({ 'order-api': [api.app.pid!], redis: SERVERS.redis });
  const { result } = await runWrk(wrk);
  const usage = cpu.stop();
  const value = ratePerSec(result, 'rotate', [status]);
  const others = result.answered - (result.codes[String(status)] ?? 0);
  log(`  ${what}: ${Math.round(value)} req/s${others ? ` (${others} answers were not ${status}: ${JSON.stringify(result.codes)})` : ''}; cpu ${describeCpu(usage)}`);
  return { value, cpu: usage, detail: { codes: result.codes, latencyUs: result.latencyUs, errors: result.errors, orderApiRssMiB: rssKiB(api.app.pid!) / 1024 } };
}
