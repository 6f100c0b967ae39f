import type { Attempt } from '../shoppers/records';
import { plural, proxyOf, type FaultContext, type Scenario } from '../scenario';

/** Waits until `api` has at least `n` requests in flight, so a kill or a stop lands on live requests. */
async function untilBusy(ctx: FaultContext, api: string, n: number): Promise<void> {
  await ctx.fleet.waitFor(() => ctx.fleet.inFlightCount(api) >= n, 20_000, `${n} requests in flight on ${api}`, ctx.signal);
}

export const workerKilledTwice: Scenario = {
  name: 'worker-sigkill-twice',
  fault: '2 × SIGKILL',
  title: 'worker SIGKILLed twice',
  proves:
    'A worker killed in the middle of its batches (twice: the second time while it redoes what the first one left) loses no order and ' +
    'decides none twice: unacknowledged messages are redelivered, recorded outcomes replayed.',
  trigger: { outcomes: 1 },
  async inject(ctx) {
    const first = ctx.system.of('order-worker')[0]!;
    ctx.mark(`worker SIGKILL (${plural(ctx.fleet.countNow().outcomes, 'outcome')} so far)`);
    await ctx.system.kill(first, 'SIGKILL');
    // Everything the first worker decided was committed before it was published, so an outcome for any other
    // uuid can only come from its successor: the second kill waits for one, even if the successor still boots.
    const byFirst = await ctx.decided();
    const second = ctx.system.replace(first);
    const starting = second.start(60_000).then(
      () => ctx.mark('worker restarted'),
      () => undefined,
    );
    await ctx.fleet
      .waitFor(() => ctx.fleet.records().some((r) => r.outcome && !byFirst.has(r.uuid ?? r.requestId)), 30_000, 'an outcome decided by the restarted worker', ctx.signal)
      .catch((err: unknown) => ctx.mark(`no outcome from the restarted worker: ${err instanceof Error ? err.message : String(err)}`));
    ctx.mark(`worker SIGKILL again (${byFirst.size} decided by the first one, ${plural(ctx.fleet.countNow().outcomes, 'outcome')} so far)`);
    await ctx.system.kill(second, 'SIGKILL');
    await starting;
    await ctx.system.restart(second);
    ctx.mark('worker restarted');
  },
};

export const apiKilled: Scenario = {
  name: 'order-api-sigkill',
  title: 'order-api SIGKILLed mid-flood',
  fault: 'SIGKILL 1 of 2',
  proves:
    'An order-api killed between its Lua reserve and the publish confirm strands nothing: the other instance keeps selling, shoppers who ' +
    'lost their answer ask again with the same requestId there, and a reservation left PUBLISHING is released by the sweeper.',
  // Its broker link is held just before the kill, so the kill lands on requests waiting for their confirms (the
  // window that strands a unit) rather than on whatever the instance happened to be doing.
  system: { proxyFirstApiBroker: true },
  trigger: { accepted: 100 },
  async inject(ctx) {
    const api = ctx.system.of('order-api')[0]!;
    const link = proxyOf(ctx.system.proxies.firstApiBroker, 'order-api 1 broker');
    link.setMode('blackhole');
    ctx.mark("order-api 1's broker link held: its publishes wait for their confirms");
    await untilBusy(ctx, api.url, 5);
    ctx.mark(`order-api 1 SIGKILL (${plural(ctx.fleet.inFlightCount(api.url), 'request')} in flight on it)`);
    await ctx.system.kill(api, 'SIGKILL');
    // What it wrote to the broker meanwhile never arrived: it dies with the connection, as it would on a real crash.
    link.setMode('drop');
    link.setMode('pass');
    await ctx.system.restart(api);
    ctx.mark('order-api 1 restarted');
  },
};

export const apiTerminated: Scenario = {
  name: 'order-api-sigterm',
  fault: 'SIGTERM 1 of 2',
  title: 'order-api SIGTERMed mid-flood',
  proves:
    'A graceful stop answers every request already in flight, then exits 0; shoppers move to the other instance and nothing is stranded.',
  trigger: { accepted: 100 },
  async inject(ctx) {
    const api = ctx.system.of('order-api')[0]!;
    await untilBusy(ctx, api.url, 5);
    const inFlight: Attempt[] = ctx.fleet.inFlight(api.url);
    ctx.mark(`order-api 1 SIGTERM (${plural(inFlight.length, 'request')} in flight on it)`);
    const exit = await ctx.system.kill(api, 'SIGTERM');
    ctx.mark(exit.graceful ? `order-api 1 exited (${exit.signal ?? `code ${exit.code}`}) after ${exit.ms} ms` : `order-api 1 ignored SIGTERM for ${exit.ms} ms and was killed`);
    await ctx.system.restart(api);
    ctx.mark('order-api 1 restarted');
    return () => {
      const unanswered = inFlight.filter((a) => a.status === undefined);
      return [
        {
          name: 'SIGTERM: every request in flight was answered',
          ok: inFlight.length > 0 && unanswered.length === 0,
          detail: `${inFlight.length - unanswered.length} of ${inFlight.length} answered` + (unanswered.length ? `; the others got ${[...new Set(unanswered.map((a) => a.error ?? 'nothing'))].join(', ')}` : ''),
        },
        {
          // Nest closes the app, then raises the signal again: ending by SIGTERM after the drain is a clean exit too.
          name: 'SIGTERM: exited by itself, cleanly',
          ok: exit.graceful && (exit.code === 0 || exit.signal === 'SIGTERM'),
          detail: exit.graceful ? `${exit.signal ? `ended by ${exit.signal}` : `exit code ${exit.code}`} after ${exit.ms} ms` : `still running ${exit.ms} ms after SIGTERM; killed`,
        },
      ];
    };
  },
};

export const notifierKilled: Scenario = {
  name: 'notifier-sigkill',
  fault: 'SIGKILL 1 of 2',
  title: 'notifier SIGKILLed while sockets wait',
  proves:
    'Sockets of a killed notifier reconnect (to the other instance, or to the same one once restarted) and every shopper holding a 202 ' +
    'still receives its outcome: pushed, or delivered at once on reconnect because it was stored.',
  trigger: { accepted: 150 },
  async inject(ctx) {
    const notifier = ctx.system.of('websocket-notifier')[0]!;
    const c = ctx.fleet.countNow();
    ctx.mark(`notifier 1 SIGKILL (${c.accepted - c.outcomes} of ${c.accepted} 202s still waiting for their outcome)`);
    await ctx.system.kill(notifier, 'SIGKILL');
    await ctx.system.restart(notifier);
    ctx.mark('notifier 1 restarted');
  },
};
