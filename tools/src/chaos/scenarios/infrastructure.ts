import { connect } from 'amqplib';
import { plural, proxyOf, type Scenario } from '../scenario';

export const rabbitmqRestart: Scenario = {
  name: 'rabbitmq-restart',
  title: 'RabbitMQ restarted',
  fault: 'node stop + start',
  proves:
    'Orders accepted before the broker went away are still decided and pushed once it is back (durable quorum queues, publisher confirms, ' +
    'reconnecting clients); orders placed while it is down are answered 503 TRY_AGAIN, never 202 without a confirm, and succeed when asked again.',
  // A graceful stop drops its clients only after a moment; 1,000 units sell over two seconds of waves instead of
  // less than one, so the sale is still on when the connections go.
  stock: 1_000,
  trigger: { accepted: 30 },
  delayedEffect: true,
  async inject(ctx) {
    // A connection of our own tells the moment the node drops its clients: that is when the fault bites.
    const watcher = await connect(ctx.servers.rabbitmq.amqpUrl);
    watcher.on('error', () => undefined);
    const dropped = new Promise<void>((resolve) => watcher.once('close', () => resolve()));
    ctx.mark('RabbitMQ stopping');
    const stopped = ctx.servers.rabbitmq.stop();
    await Promise.race([dropped, stopped]);
    ctx.effective('RabbitMQ dropped its clients');
    await stopped;
    ctx.mark('RabbitMQ stopped');
    await ctx.servers.rabbitmq.start();
    ctx.mark('RabbitMQ started');
  },
};

export const redisRestartEmpty: Scenario = {
  name: 'redis-restart-empty',
  fault: 'kill -9 + empty start',
  title: 'Redis restarted empty',
  proves:
    'Losing every reservation, buyer and request record mid-sale neither oversells nor breaks a promise: orders already queued are decided ' +
    'before Redis is rebuilt from PostgreSQL, so a 202 never ends FAIL SOLD_OUT, and Redis ends equal to PostgreSQL on its own.',
  trigger: { accepted: 100 },
  async inject(ctx) {
    ctx.mark('Redis killed');
    await ctx.servers.redis.kill();
    await ctx.servers.redis.start();
    ctx.mark('Redis started empty');
  },
};

function postgresStopped(seconds: number): Scenario {
  return {
    name: `postgres-stop-${seconds}s`,
    fault: `stop -m fast, ${seconds} s`,
    title: `PostgreSQL stopped for ${seconds} s`,
    proves:
      `Queued orders wait the outage out (${seconds} s) instead of being parked or failed: every 202 is decided once PostgreSQL is back, ` +
      'every route that needs PostgreSQL answers 503 TRY_AGAIN meanwhile (never 500), and every app is ready again within 30 s.',
    trigger: { accepted: 100 },
    async inject(ctx) {
      ctx.mark('PostgreSQL stopping (fast)');
      await ctx.servers.postgres.stop('fast');
      ctx.mark('PostgreSQL stopped');
      await ctx.hold(seconds * 1000);
      await ctx.servers.postgres.start();
      ctx.mark('PostgreSQL started');
    },
  };
}

export const postgresStop10 = postgresStopped(10);
export const postgresStop90 = postgresStopped(90);

export const postgresBlackhole: Scenario = {
  name: 'postgres-blackhole-20s',
  fault: 'black hole 20 s',
  title: 'PostgreSQL black-holed for 20 s',
  proves:
    'A database that stops answering without closing anything (a partition: connections hang, new ones get no reply) is survived like a ' +
    'stopped one: nothing lost or decided twice, routes answer 503 TRY_AGAIN rather than hang or fail, ready again once it answers.',
  system: { proxyPostgres: true },
  trigger: { accepted: 100 },
  async inject(ctx) {
    const proxy = proxyOf(ctx.system.proxies.postgres, 'PostgreSQL');
    proxy.setMode('blackhole');
    ctx.mark(`PostgreSQL black-holed (${plural(proxy.connections, 'connection')} held)`);
    await ctx.hold(20_000);
    proxy.setMode('pass');
    ctx.mark('PostgreSQL reachable again');
  },
};

export const workerBrokerCut: Scenario = {
  name: 'worker-broker-cut',
  fault: 'black hole 20 s',
  title: 'worker cut off from RabbitMQ for 20 s',
  proves:
    'A worker whose broker connection silently stops carrying anything (black hole, then heartbeats time out) loses nothing and decides ' +
    'nothing twice: orders it held unacknowledged are redelivered, an outcome committed but not yet acknowledged is replayed, not re-decided.',
  system: { proxyWorkerBroker: true },
  trigger: { outcomes: 1 },
  async inject(ctx) {
    const proxy = proxyOf(ctx.system.proxies.workerBroker, 'worker broker');
    proxy.setMode('blackhole');
    ctx.mark(`worker↔RabbitMQ black-holed (${plural(ctx.fleet.countNow().outcomes, 'outcome')} so far)`);
    await ctx.hold(20_000);
    proxy.setMode('pass');
    ctx.mark('worker↔RabbitMQ reachable again');
  },
};
