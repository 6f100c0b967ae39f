import { configSchema } from '@seckill/config';

/**
 * Every number and name the manifests use, in one place. Where the apps have a setting for it, the value is the
 * default of the configuration schema the apps validate with (so a changed default moves the manifests with
 * it on the next `npm run deploy:manifests`, and the drift test says so); the rest are deployment choices,
 * each with its reason. docs/deploy.md explains them for operators.
 */

/** The namespace everything runs in; RabbitMQ and Redis clusters are assumed there too (see their hosts below). */
export const NAMESPACE = 'seckill';
export const PART_OF = 'seckill';

/** The image the Dockerfile builds (`docker build -t seckill .`); the tag is the release in package.json. */
export const IMAGE_NAME = 'seckill';

/**
 * The settings the manifests are computed from (ports, the drain, probe timeouts, scaling targets, memory),
 * at the schema's defaults. The ConfigMap pins them, so the apps run with exactly the values the grace periods,
 * probes and autoscalers were derived from.
 */
export const PINNED = configSchema
  .pick({
    ORDER_API_PORT: true,
    ORDER_WORKER_PORT: true,
    NOTIFIER_PORT: true,
    SHUTDOWN_GRACE_MS: true,
    DB_STATEMENT_TIMEOUT_MS: true,
    DEPENDENCY_PROBE_TIMEOUT_MS: true,
    WORKER_PREFETCH: true,
    NOTIFIER_MAX_SOCKETS: true,
  })
  .parse({});

/**
 * With NODE_ENV=production /metrics and /docs are served only on METRICS_PORT (the schema has no default: unset
 * means "on the app port" in development). 9464 is the usual Prometheus exporter port; every pod has its own
 * network namespace, so the three apps share it.
 */
export const METRICS_PORT = 9464;
/** The pod's own address space is the "private interface" here: Prometheus scrapes the pod IP. */
export const METRICS_HOST = '0.0.0.0';

/** The health routes of every app (public contract: `GET /health` up, `GET /health/ready` every dependency answers). */
export const HEALTH = { live: '/health', ready: '/health/ready' } as const;

/**
 * A pod that is being deleted keeps receiving connections until every endpoint controller, kube-proxy and
 * ingress has dropped it, which takes a few seconds after the deletion. The preStop pause holds SIGTERM back for
 * that long, so the drain starts once new traffic has stopped arriving (order-api would still answer it with
 * a clean 503, but a retry is a slower sale).
 */
export const PRE_STOP_SECONDS = 5;
/** After the last bounded wait of a drain: closing Redis, the broker connection and the database pool. */
export const TERMINATION_MARGIN_MS = 5000;

export type AppName = 'order-api' | 'order-worker' | 'websocket-notifier';
export const APP_NAMES: readonly AppName[] = ['order-api', 'order-worker', 'websocket-notifier'];

/** One bounded wait of an app's graceful stop (SIGTERM), in the order the app runs them. */
export interface DrainStage {
  what: string;
  ms: number;
}

export interface Resources {
  requests: { cpu: string; memory: string };
  limits: { cpu: string; memory: string };
}

export interface AppSpec {
  name: AppName;
  component: 'api' | 'worker' | 'notifier';
  /** The setting that names the app's port (pinned in the ConfigMap) and its value. */
  portSetting: 'ORDER_API_PORT' | 'ORDER_WORKER_PORT' | 'NOTIFIER_PORT';
  port: number;
  /** Behind a Service that clients reach: gets the preStop pause. order-worker is only scraped. */
  servesClients: boolean;
  drain: readonly DrainStage[];
  resources: Resources;
}

const GRACE = PINNED.SHUTDOWN_GRACE_MS;

/**
 * A notifier's memory is mostly its sockets: 5.7 KiB each (docs/capacity.md, measured by
 * `npm run sockets:capacity`), up to NOTIFIER_MAX_SOCKETS, plus the process itself. A limit below that would
 * OOM-kill a full notifier and drop every shopper on it at once.
 */
const SOCKET_KIB = 5.7;
const PROCESS_BASELINE_MIB = 256;
const notifierMemory = `${Math.ceil(((PINNED.NOTIFIER_MAX_SOCKETS * SOCKET_KIB) / 1024 + PROCESS_BASELINE_MIB) / 128) * 128}Mi`;

/**
 * One Node event loop uses one core: the request is that core (the HPA's utilisation is measured against it);
 * the limit leaves room for the threads beside it (argon2 hashing, GC, libuv).
 */
const ONE_EVENT_LOOP: Resources = { requests: { cpu: '1', memory: '512Mi' }, limits: { cpu: '2', memory: '1Gi' } };

export const APPS: Readonly<Record<AppName, AppSpec>> = {
  'order-api': {
    name: 'order-api',
    component: 'api',
    portSetting: 'ORDER_API_PORT',
    port: PINNED.ORDER_API_PORT,
    servesClients: true,
    // apps/order-api/src/main.ts and http/shutdown-gate.ts: the gate runs before Nest closes the consumers.
    drain: [
      { what: 'ShutdownGate: requests in flight finish (new ones get 503 TRY_AGAIN, Connection: close)', ms: GRACE },
      { what: 'the stock-broadcast consumers settle what they hold (QueueConsumer.stop)', ms: GRACE },
    ],
    resources: ONE_EVENT_LOOP,
  },
  'order-worker': {
    name: 'order-worker',
    component: 'worker',
    portSetting: 'ORDER_WORKER_PORT',
    port: PINNED.ORDER_WORKER_PORT,
    servesClients: false,
    drain: [
      { what: 'the consumers decide and ack the batches in flight (QueueConsumer.stop; the rest is redelivered)', ms: GRACE },
      { what: 'a batch transaction still running then ends within the statement timeout before the pool closes', ms: PINNED.DB_STATEMENT_TIMEOUT_MS },
    ],
    resources: ONE_EVENT_LOOP,
  },
  'websocket-notifier': {
    name: 'websocket-notifier',
    component: 'notifier',
    portSetting: 'NOTIFIER_PORT',
    port: PINNED.NOTIFIER_PORT,
    servesClients: true,
    drain: [
      // OrderSocketGateway.beforeApplicationShutdown waits at most 1 s for the closes.
      { what: 'every socket closed with 1001 going away, so pages reconnect to another instance', ms: 1000 },
      { what: 'the seckill.notify.results consumer settles what it holds (QueueConsumer.stop)', ms: GRACE },
    ],
    resources: { requests: { cpu: '500m', memory: notifierMemory }, limits: { cpu: '1', memory: notifierMemory } },
  },
};

export const MIGRATION_RESOURCES: Resources = { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } };

/** Seconds from the pod's deletion to SIGKILL: the preStop pause, every drain stage one after the other, a margin. */
export function terminationGracePeriodSeconds(app: AppSpec): number {
  const preStopMs = app.servesClients ? PRE_STOP_SECONDS * 1000 : 0;
  const drainMs = app.drain.reduce((sum, stage) => sum + stage.ms, 0);
  return Math.ceil((preStopMs + drainMs + TERMINATION_MARGIN_MS) / 1000);
}

/**
 * `/health/ready` probes every dependency (each bounded by DEPENDENCY_PROBE_TIMEOUT_MS) before it answers, so the
 * kubelet must wait longer than that or a slow-but-up dependency would read as a failed probe.
 */
export const READINESS_TIMEOUT_SECONDS = Math.ceil(PINNED.DEPENDENCY_PROBE_TIMEOUT_MS / 1000) + 1;

/** The apps connect to RabbitMQ before they listen: a slow broker at start must not count against liveness. */
export const STARTUP = { periodSeconds: 2, failureThreshold: 60 } as const;

/**
 * order-api scales on CPU: it is the first thing a sale saturates (docs/capacity.md), one core per pod. 70 % of
 * the requested core leaves the event loop headroom while new pods start. Two at least, for failover.
 */
export const ORDER_API_SCALING = { minReplicas: 2, maxReplicas: 12, cpuUtilization: 70 } as const;

/**
 * order-worker scales on the depth of the pending queue (ready + unacknowledged: a worker takes up to
 * WORKER_PREFETCH messages into its hands, so ready messages alone read 0 while every worker is full). One
 * replica per WORKER_PREFETCH messages: beyond that, orders wait for a worker. At least two: the worker also
 * runs the sweeper, reconciliation and the payment window, so it never scales to zero. More than a few do not
 * help: batches serialise on the item's row in PostgreSQL.
 */
export const ORDER_WORKER_SCALING = {
  minReplicas: 2,
  maxReplicas: 6,
  messagesPerReplica: PINNED.WORKER_PREFETCH,
  /** RabbitMQ's management statistics are sampled every 5 s; polling faster reads the same number. */
  pollingIntervalSeconds: 5,
} as const;

/** No autoscaler: sockets are cheap (memory, above) and a rollout moves them; two for failover. */
export const NOTIFIER_REPLICAS = 2;

/**
 * The RabbitMQ cluster: a RabbitmqCluster named `cluster` (RabbitMQ Cluster Operator) in NAMESPACE, whose pods
 * `<cluster>-server-N` answer behind the headless Service `<cluster>-nodes`. Three nodes: quorum queues need a
 * majority of their replicas. For external brokers, put their host names here and regenerate.
 */
export const RABBITMQ = {
  cluster: 'seckill-rabbitmq',
  nodes: 3,
  amqpPort: 5672,
  managementPort: 15672,
  /** As the apps read it (libs/infrastructure/messaging, fence-lifter, ops overview): the URL's path, `/` when empty. */
  vhost: '/',
} as const;

export function rabbitmqNodeHosts(): string[] {
  return Array.from({ length: RABBITMQ.nodes }, (_, i) => `${RABBITMQ.cluster}-server-${i}.${RABBITMQ.cluster}-nodes.${NAMESPACE}.svc`);
}

/**
 * The Redis Cluster: a RedisCluster named `cluster` (OT-Container-Kit redis-operator) with three masters
 * (`<cluster>-leader-N` behind `<cluster>-leader-headless`) and a replica each. The apps take these as seeds and
 * learn the rest of the cluster from it. For another operator or external nodes, put their addresses here.
 */
export const REDIS = { cluster: 'seckill-redis', masters: 3, port: 6379 } as const;

export function redisSeedNodes(): string[] {
  return Array.from({ length: REDIS.masters }, (_, i) => `${REDIS.cluster}-leader-${i}.${REDIS.cluster}-leader-headless.${NAMESPACE}.svc:${REDIS.port}`);
}

/** The Secret the operator creates (docs/deploy.md); the manifests only ever reference its keys. */
export const SECRET_NAME = 'seckill-secrets';
export const SECRET_KEYS = {
  DATABASE_URL: 'DATABASE_URL',
  REDIS_URL: 'REDIS_URL',
  RABBITMQ_USERNAME: 'RABBITMQ_USERNAME',
  RABBITMQ_PASSWORD: 'RABBITMQ_PASSWORD',
  JWT_SECRET: 'JWT_SECRET',
  ADMIN_USERNAME: 'ADMIN_USERNAME',
  ADMIN_PASSWORD: 'ADMIN_PASSWORD',
  /** KEDA's scaler reads one management URL with credentials (the cluster's Service), not the apps' node list. */
  KEDA_RABBITMQ_HOST: 'KEDA_RABBITMQ_HOST',
} as const;

export const CONFIG_MAP_NAME = 'seckill-config';
