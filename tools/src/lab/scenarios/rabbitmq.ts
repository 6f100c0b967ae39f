import { Queue } from '@seckill/messaging';
import { waitFor } from '../exec';
import type { RabbitNode } from '../hosts/rabbitmq';
import type { FaultContext, Scenario } from '../scenario';

/** After a RabbitMQ fault: the cluster whole, every quorum queue back to 3 members online, every app ready. */
async function rabbitWhole(ctx: FaultContext): Promise<void> {
  await ctx.lab.rabbit.waitWhole(120_000, ctx.signal);
  await ctx.lab.rabbit.waitReplicated(120_000, ctx.signal);
  await ctx.lab.waitAllReady(60_000);
  ctx.end('cluster whole, every quorum queue 3/3 online, every app ready');
}

/** The node that leads the queue of reserved orders: the fault that moves the most. */
function pendingLeader(ctx: FaultContext): Promise<RabbitNode> {
  return ctx.lab.rabbit.leaderOf(Queue.PENDING);
}

export const rabbitPartition: Scenario = {
  name: 'rabbit-partition',
  title: 'one RabbitMQ node partitioned from the other two, then healed',
  fault: 'leader of the pending queue partitioned from the other 2 nodes',
  expected:
    'The two nodes that still see each other keep the quorum, but they elect new leaders for the queues the cut-off ' +
    'node led only once they notice it gone (net_ticktime, 10 s in the lab); until then no publish to those queues is ' +
    'confirmed, from any node: order-api gives the units back and answers 503 TRY_AGAIN, and the shoppers try again ' +
    'with the same requestId. The cut-off node finds itself in the minority and pauses (cluster_partition_handling = ' +
    "pause_minority), closing its clients' connections, which reconnect to another node of RABBITMQ_URL. Healed, the " +
    'node resumes by itself and its quorum queue members catch up (RabbitMQ 3.10.8 sometimes needs a hand there: ' +
    'the lab restarts a node that does not answer for itself within 60 s, and says so).',
  async inject(ctx) {
    const rabbit = ctx.lab.rabbit;
    const target = await pendingLeader(ctx);
    const others = rabbit.others(target);
    try {
      await ctx.lab.network.partition(
        target.host,
        others.map((o) => o.host),
      );
      ctx.begin(`${target.host.name} (leader of ${Queue.PENDING}) cut off from ${others.map((o) => o.host.name).join(' and ')}`);
      await waitFor(
        `${others[0]!.host.name} seeing ${target.host.name} gone`,
        60_000,
        async () => (await others[0]!.nodes()).some((v) => v.name === target.node && !v.running),
        { everyMs: 500, signal: ctx.signal },
      );
      ctx.mark(`the majority sees ${target.host.name} gone`);
      await ctx.hold(ctx.holdMs);
    } finally {
      await ctx.lab.network.heal(target.host);
      ctx.mark('partition healed');
    }
    await resumeByHandIfStuck(ctx, target);
    await rabbitWhole(ctx);
  },
};

/** How long the nodes get to come back together by themselves once the partition is healed. */
const RESUME_WITHIN_MS = 60_000;

/**
 * pause_minority restarts the paused node's rabbit application once the partition heals. Seen in the lab with
 * RabbitMQ 3.10.8 under load: right after the heal a node's management agent crashes (`case_clause` in
 * rabbit_net:dist_info/4: two distribution connections to one peer while both sides reconnect). On the paused node
 * that makes its application fail to start, and it stays out of the cluster with its VM running (and
 * `rabbitmqctl start_app` then fails too: mnesia is still up); on a node of the majority its management API stops
 * answering. An operator restarts such a node; the lab does the same, and says so.
 */
async function resumeByHandIfStuck(ctx: FaultContext, partitioned: RabbitNode): Promise<void> {
  try {
    await ctx.lab.rabbit.waitWhole(RESUME_WITHIN_MS, ctx.signal);
    ctx.mark(`${partitioned.host.name} back in the cluster by itself`);
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    const restarted = await ctx.lab.rabbit.restartUnanswering(ctx.signal);
    ctx.note(
      `the cluster was not whole ${RESUME_WITHIN_MS / 1000} s after the heal (${why}); ` +
        (restarted.length ? `restarted by hand, as an operator would: ${restarted.join(', ')} (see their logs)` : 'every node answered for itself, nothing restarted'),
    );
    if (restarted.length) ctx.mark(`restarted by hand: ${restarted.join(', ')}`);
  }
}

export const rabbitKill: Scenario = {
  name: 'rabbit-kill',
  title: 'one RabbitMQ node killed (SIGKILL), then restarted',
  fault: 'leader of the pending queue killed (SIGKILL), restarted',
  expected:
    'The connections to the killed node break at once; their clients reconnect to another node of RABBITMQ_URL. ' +
    'The two survivors elect new leaders for its queues within a few seconds (Raft), and publishes confirmed before ' +
    'the kill are on a majority already, so no accepted order is lost. Publishes in flight on the dead connection are ' +
    'not confirmed: order-api gives their units back and answers 503 TRY_AGAIN, and the retry (same requestId) is ' +
    'accepted through another node. Restarted on its data, the node rejoins and its members catch up.',
  async inject(ctx) {
    const target = await pendingLeader(ctx);
    try {
      await target.kill();
      ctx.begin(`${target.host.name} (leader of ${Queue.PENDING}) killed`);
      await ctx.hold(ctx.holdMs);
    } finally {
      ctx.mark(`${target.host.name} restarting`);
      await target.start(120_000, ctx.signal);
      ctx.mark(`${target.host.name} booted`);
    }
    await rabbitWhole(ctx);
  },
};
