import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRequestsPerSec, parseWrkOutput, ratePerSec, secondsToLast2xx, spanSeconds } from './wrk';
import { wrkScript } from './wrk-script';

/** What wrk 4.1 prints for a `once` run interrupted by the bench, with the script's lines in it. */
const OUTPUT = `Running 10m test @ http://127.0.0.1:41234/
  1 threads and 128 connections
BENCH_THREAD_DONE 0
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    14.20ms    3.10ms  80.00ms   90.00%
    Req/Sec     9.10k   500.00     9.90k    70.00%
  50128 requests in 5.51s, 9.80MB read
  Non-2xx or 3xx responses: 5
Requests/sec:   9097.80
Transfer/sec:      1.78MB
BENCH_RESULT {"durationUs":5510000,"requests":50128,"tokens":50000,"answered":50000,"firstUs":1000000,"lastUs":6000000,"last2xxUs":5500000,"errors":{"connect":0,"read":0,"write":0,"status":5,"timeout":0},"latencyUs":{"min":900,"mean":14200,"p50":13000,"p90":18000,"p99":30000,"max":80000},"codes":{"202":49995,"409":5}}
`;

describe('parseWrkOutput', () => {
  it('reads the result line the script prints', () => {
    const r = parseWrkOutput(OUTPUT);
    assert.equal(r.answered, 50_000);
    assert.deepEqual(r.codes, { '202': 49_995, '409': 5 });
    assert.equal(r.latencyUs.p99, 30_000);
    assert.equal(r.errors.status, 5);
  });

  it('fails loudly when wrk printed no result (script error, wrk missing)', () => {
    assert.throws(() => parseWrkOutput('unable to connect to 127.0.0.1:1 Connection refused\n'), /no BENCH_RESULT line/);
    assert.throws(() => parseWrkOutput('BENCH_RESULT {"durationUs":1}\n'), /lacks requests/);
  });

  it("reads wrk's own Requests/sec line as a cross-check", () => {
    assert.equal(parseRequestsPerSec(OUTPUT), 9097.8);
    assert.equal(parseRequestsPerSec('nothing'), undefined);
  });
});

describe('rates', () => {
  const r = parseWrkOutput(OUTPUT);

  it('times a once run from the first request to the last answer, a rotate run by its duration', () => {
    assert.equal(spanSeconds(r, 'once'), 5);
    assert.equal(spanSeconds(r, 'rotate'), 5.51);
  });

  it('times a sale from the first request to its last 2xx', () => {
    assert.equal(secondsToLast2xx(r), 4.5);
    assert.ok(Number.isNaN(secondsToLast2xx({ ...r, last2xxUs: 0 })));
  });

  it('reads a result saved before the last 2xx was recorded as having none', () => {
    const old = parseWrkOutput(OUTPUT.replace('"last2xxUs":5500000,', ''));
    assert.equal(old.last2xxUs, 0);
  });

  it('counts only the asked statuses', () => {
    assert.equal(ratePerSec(r, 'once', [202]), 9999);
    assert.equal(ratePerSec(r, 'once'), 10_000);
    assert.equal(ratePerSec(r, 'once', [500]), 0);
  });
});

describe('wrkScript', () => {
  const base = { tokensFile: '/tmp/t "x".txt', path: '/api/seckill/orders', itemId: 7, mode: 'once', requestId: true, threads: 2 } as const;

  it('bakes the run into the Lua config, quoting strings', () => {
    const lua = wrkScript(base);
    assert.match(lua, /tokensFile = "\/tmp\/t \\"x\\"\.txt",/);
    assert.match(lua, /itemId = 7,/);
    assert.match(lua, /once = true,/);
    assert.match(lua, /requestId = true,/);
    assert.match(lua, /threads = 2,/);
    assert.match(lua, /maxTokens = 0,/);
    assert.match(wrkScript({ ...base, mode: 'rotate', maxTokens: 10 }), /once = false,[\s\S]*maxTokens = 10,/);
  });

  it('spreads orders over consecutive items only when asked', () => {
    assert.match(wrkScript(base), /itemCount = 1,/);
    assert.match(wrkScript({ ...base, itemCount: 100 }), /itemCount = 100,/);
  });

  it('idles connections without tokens (no fillers in the latency) only in a once run that asks for it', () => {
    assert.doesNotMatch(wrkScript(base), /function delay\(\)/);
    assert.match(wrkScript({ ...base, quietTail: true }), /function delay\(\)\n  if idx >= #tokens then return 5000 end/);
    assert.doesNotMatch(wrkScript({ ...base, mode: 'rotate', quietTail: true }), /function delay\(\)/);
  });

  it('counts a stall from the first request while no order has been answered (a filler may come back first)', () => {
    assert.match(wrkScript(base), /if since == 0 then since = bench_first end\n    if not finished and now - since > 5000000 then finish\("stalled"\) end/);
  });

  it('records the last 2xx and prints it with the result', () => {
    assert.match(wrkScript(base), /if status >= 200 and status < 300 then bench_last2xx = now end/);
    assert.match(wrkScript(base), /"last2xxUs":%\.0f/);
  });

  it('refuses ids and thread counts that are not positive integers', () => {
    assert.throws(() => wrkScript({ ...base, itemId: 0 }));
    assert.throws(() => wrkScript({ ...base, threads: 1.5 }));
    assert.throws(() => wrkScript({ ...base, itemCount: 0 }));
  });
});
