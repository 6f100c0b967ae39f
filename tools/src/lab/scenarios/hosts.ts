import type { FaultContext, Scenario } from '../scenario';

/** A host's bridge port down for the hold, then up; the scenario ends once every app is ready again. */
async function cutOff(ctx: FaultContext, name: string, role: string): Promise<void> {
  const app = ctx.lab.app(name);
  try {
    await ctx.lab.network.cut(app.host);
    ctx.begin(`${name} (${role}) cut off`);
    await ctx.hold(ctx.holdMs);
  } finally {
    await ctx.lab.network.reconnect(app.host);
    ctx.mark(`${name} reconnected`);
  }
  await ctx.lab.waitAllReady(60_000);
  ctx.end('every app ready');
}

export const apiCutOff: Scenario = {
  name: 'api-cutoff',
  title: 'one order-api host cut off from the network, then back',
  fault: 'order-api host api1 cut off (link down), back',
  expected:
    "Half of the shoppers post to api1. While it is cut off their requests wait in TCP retransmission (as a browser's " +
    'would behind a dead load-balancer target); the other half keep buying through api2, so the sale goes on at ' +
    'once. api1 itself loses Redis, RabbitMQ and PostgreSQL for the duration: a reservation it made just before ' +
    'and could not get confirmed is given back (503 TRY_AGAIN) or, if it is stranded, returned by the worker\'s ' +
    'sweep. Back on the network, the retransmitted requests are answered and api1 serves again.',
  inject: (ctx) => cutOff(ctx, 'api1', 'order-api'),
};

export const notifierCutOff: Scenario = {
  name: 'notifier-cutoff',
  title: 'one websocket-notifier host cut off from the network, then back',
  fault: 'websocket-notifier host notifier1 cut off (link down), back',
  expected:
    'Half of the sockets are on notifier1. Outcomes keep being decided (the worker does not depend on the ' +
    'notifier) and stored in Redis for late sockets; the NOTIFY queue is consumed by notifier2 alone once ' +
    "notifier1's AMQP connection is gone (its unacknowledged deliveries go back to the queue). The outcomes for " +
    "notifier1's sockets are announced to it through Redis and missed while it is away; back on the network, it " +
    're-subscribes and re-reads the stored outcome of every socket it holds (and its periodic safety net asks ' +
    'PostgreSQL), so every waiting shopper still gets a push.',
  inject: (ctx) => cutOff(ctx, 'notifier1', 'websocket-notifier'),
};
