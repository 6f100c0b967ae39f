import { Queue } from '@seckill/messaging';
import type { KubernetesObject, Models } from './models';
import type { Release } from './release';
import { APPS, NAMESPACE, ORDER_API_SCALING, ORDER_WORKER_SCALING, RABBITMQ, SECRET_KEYS, SECRET_NAME } from './settings';
import { labels } from './workloads';

const deploymentRef = (name: string) => ({ apiVersion: 'apps/v1', kind: 'Deployment', name });

/**
 * order-api on CPU. A sale arrives as a wall of requests: scale up at once (no stabilisation, doubling or +4
 * pods every 15 s, whichever is more), scale down slowly (five minutes of lower load, half at most a minute),
 * so the pods of a burst are still there for the next one. New pods take tens of seconds to become ready:
 * for a sale at a known time, raise minReplicas beforehand (docs/deploy.md).
 */
export function orderApiAutoscaler(models: Models, release: Release): KubernetesObject {
  const name = APPS['order-api'].name;
  return new models.HorizontalPodAutoscaler({
    metadata: { name, namespace: NAMESPACE, labels: labels(name, APPS[name].component, release) },
    spec: {
      scaleTargetRef: deploymentRef(name),
      minReplicas: ORDER_API_SCALING.minReplicas,
      maxReplicas: ORDER_API_SCALING.maxReplicas,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: ORDER_API_SCALING.cpuUtilization } } }],
      behavior: {
        scaleUp: {
          stabilizationWindowSeconds: 0,
          selectPolicy: 'Max',
          policies: [
            { type: 'Percent', value: 100, periodSeconds: 15 },
            { type: 'Pods', value: 4, periodSeconds: 15 },
          ],
        },
        scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: 'Percent', value: 50, periodSeconds: 60 }] },
      },
    },
  });
}

export const WORKER_SCALER_AUTH = 'order-worker-rabbitmq';

/** KEDA's credentials for the RabbitMQ management API: one URL from the Secret, never in the manifests. */
export function workerScalerAuthentication(models: Models, release: Release): KubernetesObject {
  const name = APPS['order-worker'].name;
  return new models.TriggerAuthentication({
    metadata: { name: WORKER_SCALER_AUTH, namespace: NAMESPACE, labels: labels(name, APPS[name].component, release) },
    spec: { secretTargetRef: [{ parameter: 'host', name: SECRET_NAME, key: SECRET_KEYS.KEDA_RABBITMQ_HOST }] },
  });
}

/**
 * order-worker on the depth of the pending queue (KEDA's RabbitMQ scaler). Over the management API (`http`),
 * `QueueLength` counts ready and unacknowledged messages: what the workers hold counts as work not yet done.
 * The queue and vhost are the ones the apps use: the topology module's name, the vhost of RABBITMQ_URL.
 */
export function orderWorkerScaler(models: Models, release: Release): KubernetesObject {
  const name = APPS['order-worker'].name;
  return new models.ScaledObject({
    metadata: { name, namespace: NAMESPACE, labels: labels(name, APPS[name].component, release) },
    spec: {
      scaleTargetRef: deploymentRef(name),
      minReplicaCount: ORDER_WORKER_SCALING.minReplicas,
      maxReplicaCount: ORDER_WORKER_SCALING.maxReplicas,
      pollingInterval: ORDER_WORKER_SCALING.pollingIntervalSeconds,
      advanced: { horizontalPodAutoscalerConfig: { behavior: { scaleDown: { stabilizationWindowSeconds: 300 } } } },
      triggers: [
        {
          type: 'rabbitmq',
          metadata: {
            protocol: 'http',
            mode: 'QueueLength',
            value: String(ORDER_WORKER_SCALING.messagesPerReplica),
            queueName: Queue.PENDING,
            vhostName: RABBITMQ.vhost,
          },
          authenticationRef: { name: WORKER_SCALER_AUTH },
        },
      ],
    },
  });
}
