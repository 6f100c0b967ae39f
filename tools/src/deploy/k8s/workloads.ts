import type { IContainer, IPodSpec, IProbe, ISecurityContext } from 'kubernetes-models/v1' with { 'resolution-mode': 'import' };
import { configEnvFrom, configHash, secretEnv } from './configuration';
import type { KubernetesObject, Models } from './models';
import type { Release } from './release';
import {
  APPS,
  HEALTH,
  METRICS_PORT,
  MIGRATION_RESOURCES,
  NAMESPACE,
  NOTIFIER_REPLICAS,
  PART_OF,
  PRE_STOP_SECONDS,
  READINESS_TIMEOUT_SECONDS,
  STARTUP,
  terminationGracePeriodSeconds,
  type AppName,
  type AppSpec,
  type Resources,
} from './settings';

/** The labels a workload's pods are selected by (Service, PodDisruptionBudget, spread constraints). */
export function selectorLabels(name: string): Record<string, string> {
  return { 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': PART_OF };
}

export function labels(name: string, component: string, release: Release): Record<string, string> {
  return { ...selectorLabels(name), 'app.kubernetes.io/component': component, 'app.kubernetes.io/version': release.version };
}

/** The image runs as `node` (uid 1000); runAsNonRoot can only verify a numeric user, hence runAsUser. */
const POD_SECURITY: IPodSpec['securityContext'] = {
  runAsNonRoot: true,
  runAsUser: 1000,
  runAsGroup: 1000,
  seccompProfile: { type: 'RuntimeDefault' },
};

/** The apps write nothing to disk (logs go to stdout); /tmp stays writable for whatever a library may need. */
const CONTAINER_SECURITY: ISecurityContext = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
};
const TMP = { name: 'tmp', mountPath: '/tmp', emptyDir: { sizeLimit: '64Mi' } } as const;

/**
 * What every pod of the product shares: no service-account token (nothing here calls the Kubernetes API), and no
 * service links: the kubelet would otherwise set `<SERVICE>_PORT=tcp://…` for every Service in the namespace,
 * and a Service named like a setting (`ORDER_API_PORT`, `NOTIFIER_PORT`) would feed the app a URL as its port.
 */
function podSpec(container: IContainer, extra: Partial<IPodSpec>): IPodSpec {
  return {
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    securityContext: POD_SECURITY,
    containers: [{ ...container, securityContext: CONTAINER_SECURITY, volumeMounts: [{ name: TMP.name, mountPath: TMP.mountPath }] }],
    volumes: [{ name: TMP.name, emptyDir: TMP.emptyDir }],
    ...extra,
  };
}

function resources(r: Resources): IContainer['resources'] {
  return { requests: { ...r.requests }, limits: { ...r.limits } };
}

const httpProbe = (path: string, probe: Omit<IProbe, 'httpGet'>): IProbe => ({ httpGet: { path, port: 'http' }, ...probe });

function appContainer(app: AppSpec, release: Release): IContainer {
  return {
    name: app.name,
    image: release.image,
    imagePullPolicy: 'IfNotPresent',
    command: [...release.commands[app.name]],
    ports: [
      { name: 'http', containerPort: app.port, protocol: 'TCP' },
      { name: 'metrics', containerPort: METRICS_PORT, protocol: 'TCP' },
    ],
    envFrom: configEnvFrom(),
    env: secretEnv(),
    // Until the app listens (it connects to the broker first) liveness would count against it.
    startupProbe: httpProbe(HEALTH.live, { periodSeconds: STARTUP.periodSeconds, failureThreshold: STARTUP.failureThreshold, timeoutSeconds: 2 }),
    // Not ready while a dependency is down or a consumer detached: no traffic, and a rollout waits.
    readinessProbe: httpProbe(HEALTH.ready, { periodSeconds: 5, timeoutSeconds: READINESS_TIMEOUT_SECONDS, failureThreshold: 2 }),
    // The process answers at all (its event loop turns); never a dependency, or an outage would restart every pod.
    livenessProbe: httpProbe(HEALTH.live, { periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 }),
    ...(app.servesClients ? { lifecycle: { preStop: { sleep: { seconds: PRE_STOP_SECONDS } } } } : {}),
    resources: resources(app.resources),
  };
}

export function deployment(models: Models, name: AppName, release: Release): KubernetesObject {
  const app = APPS[name];
  const selector = selectorLabels(name);
  return new models.Deployment({
    metadata: { name, namespace: NAMESPACE, labels: labels(name, app.component, release) },
    spec: {
      // order-api and order-worker: no `replicas`, their autoscaler owns it (an apply would otherwise reset a
      // scaled-out Deployment to this number in the middle of a sale).
      ...(name === 'websocket-notifier' ? { replicas: NOTIFIER_REPLICAS } : {}),
      revisionHistoryLimit: 5,
      selector: { matchLabels: selector },
      // One new pod at a time and none taken away before its successor is ready.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: {
          labels: labels(name, app.component, release),
          annotations: {
            'seckill/config-hash': configHash(),
            'prometheus.io/scrape': 'true',
            'prometheus.io/port': String(METRICS_PORT),
            'prometheus.io/path': '/metrics',
          },
        },
        spec: podSpec(appContainer(app, release), {
          terminationGracePeriodSeconds: terminationGracePeriodSeconds(app),
          topologySpreadConstraints: [
            { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: selector } },
          ],
        }),
      },
    },
  });
}

/** order-api and the notifier: their port for clients (through the ingress) and metrics; order-worker: metrics only. */
export function service(models: Models, name: AppName, release: Release): KubernetesObject {
  const app = APPS[name];
  const metrics = { name: 'metrics', port: METRICS_PORT, targetPort: 'metrics', protocol: 'TCP' } as const;
  const http = { name: 'http', port: app.port, targetPort: 'http', protocol: 'TCP' } as const;
  return new models.Service({
    metadata: { name, namespace: NAMESPACE, labels: labels(name, app.component, release) },
    spec: { type: 'ClusterIP', selector: selectorLabels(name), ports: app.servesClients ? [http, metrics] : [metrics] },
  });
}

/**
 * One pod at a time may be taken away voluntarily (a node drain, a cluster upgrade); with two replicas at least,
 * one always serves. Pods that are not ready anyway may be evicted, so a crash-looping pod never blocks a drain.
 */
export function disruptionBudget(models: Models, name: AppName, release: Release): KubernetesObject {
  return new models.PodDisruptionBudget({
    metadata: { name, namespace: NAMESPACE, labels: labels(name, APPS[name].component, release) },
    spec: { maxUnavailable: 1, selector: { matchLabels: selectorLabels(name) }, unhealthyPodEvictionPolicy: 'AlwaysAllow' },
  });
}

export const MIGRATION_JOB = 'seckill-migrate';

/**
 * `npm run db:migrate` once: creates the database if missing and applies pending migrations (idempotent, so a
 * second run changes nothing). Removed an hour after it finished, so the next release's apply creates it anew.
 */
export function migrationJob(models: Models, release: Release): KubernetesObject {
  return new models.Job({
    metadata: { name: MIGRATION_JOB, namespace: NAMESPACE, labels: labels(MIGRATION_JOB, 'migration', release) },
    spec: {
      backoffLimit: 4,
      activeDeadlineSeconds: 600,
      ttlSecondsAfterFinished: 3600,
      template: {
        metadata: { labels: labels(MIGRATION_JOB, 'migration', release), annotations: { 'seckill/config-hash': configHash() } },
        spec: podSpec(
          {
            name: 'migrate',
            image: release.image,
            imagePullPolicy: 'IfNotPresent',
            command: [...release.migrate],
            envFrom: configEnvFrom(),
            env: secretEnv(),
            resources: resources(MIGRATION_RESOURCES),
          },
          { restartPolicy: 'Never' },
        ),
      },
    },
  });
}
