import { randomBytes } from 'node:crypto';
import { loadConfig } from '@seckill/config';
import { AppProcess, createTestEnv, freePort, type AppName, type TestEnv } from '@seckill/testing';
import type { LoadtestOptions } from './cli-options';

/** The system under load: where to send orders and open sockets, and how to reach its database and Redis. */
export interface SystemUnderTest {
  mode: 'self-hosted' | 'target';
  describe: string;
  apis: string[];
  notifiers: string[];
  databaseUrl: string;
  redisUrl: string;
  /** REDIS_CLUSTER_NODES of the system, when its Redis is a cluster. */
  redisClusterNodes?: string | undefined;
  redisKeyPrefix: string;
  jwtSecret: string;
  admin: { username: string; password: string };
  stop(): Promise<void>;
}

/**
 * A system of our own on loopback, in an isolated environment (database, vhost and Redis prefix of its own, as
 * the e2e suites use), so a run never touches development data and can run next to `npm start`.
 */
export async function startSelfHosted(o: LoadtestOptions, log: (line: string) => void): Promise<SystemUnderTest> {
  const env: TestEnv = await createTestEnv('loadtest');
  // An admin of this run's own, whatever ADMIN_* the caller's shell exports (the processes inherit it).
  const admin = { username: 'loadtest-admin', password: randomBytes(12).toString('hex') };
  const vars = {
    ...env.vars,
    LOG_LEVEL: o.appLogLevel,
    ADMIN_USERNAME: admin.username,
    ADMIN_PASSWORD: admin.password,
    // Every shopper's socket is opened during the preparation, which can outlast the notifier's bounded wait on a
    // uuid nobody has ordered yet (60 s): the run's sockets wait until the fire moment, as pages that are ready would.
    NOTIFIER_UNOWNED_WAIT_MS: String(3_600_000),
  };
  const processes: AppProcess[] = [];
  const add = async (app: AppName, count: number, short: string) => {
    for (let i = 0; i < count; i++) processes.push(new AppProcess(app, `loadtest-${short}-${i + 1}-${env.id}`, await freePort(), vars));
  };
  await add('order-worker', o.workers, 'worker');
  await add('order-api', o.apis, 'api');
  await add('websocket-notifier', o.notifiers, 'notifier');
  const stop = async () => {
    await Promise.all(processes.map((p) => p.stop().catch(() => undefined)));
    await env.cleanup().catch((err: unknown) => log(`loadtest: cleaning up ${env.id} failed: ${err instanceof Error ? err.message : String(err)}`));
  };
  try {
    await Promise.all(processes.map((p) => p.start(60_000)));
  } catch (err) {
    await stop();
    throw err;
  }
  const of = (app: AppName) => processes.filter((p) => p.app === app);
  log(`loadtest: environment ${env.id}; logs in artifacts/logs/loadtest-*-${env.id}.log`);
  return {
    mode: 'self-hosted',
    describe: `self-hosted: ${o.apis} order-api, ${o.workers} order-worker, ${o.notifiers} websocket-notifier`,
    apis: of('order-api').map((p) => p.url),
    notifiers: of('websocket-notifier').map((p) => `ws://127.0.0.1:${p.port}`),
    databaseUrl: env.databaseUrl,
    redisUrl: env.redisUrl,
    redisClusterNodes: env.redisClusterNodes,
    redisKeyPrefix: env.redisKeyPrefix,
    jwtSecret: env.vars.JWT_SECRET!,
    admin,
    stop,
  };
}

/** A running system: its URLs from the flags, its secrets and stores from the environment, like the apps. */
export function targetSystem(o: LoadtestOptions, env: NodeJS.ProcessEnv = process.env): SystemUnderTest {
  const c = loadConfig(env);
  return {
    mode: 'target',
    describe: `target: ${o.targets.join(', ')}; notifier ${o.notifierUrls.join(', ')}`,
    apis: o.targets,
    notifiers: o.notifierUrls,
    databaseUrl: c.DATABASE_URL,
    redisUrl: c.REDIS_URL,
    redisClusterNodes: c.REDIS_CLUSTER_NODES,
    redisKeyPrefix: c.REDIS_KEY_PREFIX,
    jwtSecret: c.JWT_SECRET,
    admin: { username: c.ADMIN_USERNAME, password: c.ADMIN_PASSWORD },
    stop: async () => undefined,
  };
}
