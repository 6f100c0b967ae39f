import { createHash } from 'node:crypto';
import type { IEnvFromSource, IEnvVar } from 'kubernetes-models/v1' with { 'resolution-mode': 'import' };
import {
  CONFIG_MAP_NAME,
  METRICS_HOST,
  METRICS_PORT,
  PINNED,
  RABBITMQ,
  rabbitmqNodeHosts,
  redisSeedNodes,
  SECRET_KEYS,
  SECRET_NAME,
} from './settings';

/**
 * The non-secret configuration, one ConfigMap for all three apps (each reads only what it needs; its own port
 * among the three). Values are strings, as the environment is.
 */
export function configMapData(): Record<string, string> {
  const pinned = Object.fromEntries(Object.entries(PINNED).map(([key, value]) => [key, String(value)]));
  return {
    // Refuses default secrets and guest credentials, serves /metrics and /docs only on METRICS_PORT.
    NODE_ENV: 'production',
    HOST: '0.0.0.0',
    ...pinned,
    METRICS_PORT: String(METRICS_PORT),
    METRICS_HOST,
    LOG_LEVEL: 'info',
    // order-api's Service is ClusterIP: clients reach it only through the ingress controller, one proxy hop.
    // Without this every shopper would share the controller's address and its per-IP limits.
    TRUST_PROXY: '1',
    REDIS_CLUSTER_NODES: redisSeedNodes().join(','),
  };
}

const RABBITMQ_USER_VAR = 'RABBITMQ_USERNAME';
const RABBITMQ_PASSWORD_VAR = 'RABBITMQ_PASSWORD';

/**
 * Every node of the RabbitMQ cluster, credentials by reference: the kubelet expands `$(VAR)` from the variables
 * defined before it (here the two taken from the Secret), so the node list stays in the generated, reviewed
 * manifests and the password stays in the Secret. The credentials must be URL-safe (docs/deploy.md).
 */
export function rabbitmqNodeList(protocol: 'amqp' | 'http'): string {
  const port = protocol === 'amqp' ? RABBITMQ.amqpPort : RABBITMQ.managementPort;
  // The AMQP URL's path is the vhost (empty: `/`); the management API takes the vhost per request instead.
  const path = protocol === 'amqp' && RABBITMQ.vhost !== '/' ? `/${encodeURIComponent(RABBITMQ.vhost)}` : '';
  return rabbitmqNodeHosts()
    .map((host) => `${protocol}://$(${RABBITMQ_USER_VAR}):$(${RABBITMQ_PASSWORD_VAR})@${host}:${port}${path}`)
    .join(',');
}

const fromSecret = (name: string, key: string): IEnvVar => ({ name, valueFrom: { secretKeyRef: { name: SECRET_NAME, key } } });

/**
 * The secret part of the environment, by reference only, in the order the kubelet needs it (a `$(VAR)` expands
 * only variables defined above it). Not `envFrom: secretRef`: a key missing from the Secret then stops the pod
 * with an error naming it instead of starting an app on a default.
 */
export function secretEnv(): IEnvVar[] {
  return [
    fromSecret('DATABASE_URL', SECRET_KEYS.DATABASE_URL),
    // The Redis password (the production check refuses a Redis URL without one); the nodes are REDIS_CLUSTER_NODES.
    fromSecret('REDIS_URL', SECRET_KEYS.REDIS_URL),
    fromSecret('JWT_SECRET', SECRET_KEYS.JWT_SECRET),
    // Every process checks them in production, not only order-api (which applies them to the admin account).
    fromSecret('ADMIN_USERNAME', SECRET_KEYS.ADMIN_USERNAME),
    fromSecret('ADMIN_PASSWORD', SECRET_KEYS.ADMIN_PASSWORD),
    fromSecret(RABBITMQ_USER_VAR, SECRET_KEYS.RABBITMQ_USERNAME),
    fromSecret(RABBITMQ_PASSWORD_VAR, SECRET_KEYS.RABBITMQ_PASSWORD),
    { name: 'RABBITMQ_URL', value: rabbitmqNodeList('amqp') },
    { name: 'RABBITMQ_MANAGEMENT_URL', value: rabbitmqNodeList('http') },
  ];
}

export const configEnvFrom = (): IEnvFromSource[] => [{ configMapRef: { name: CONFIG_MAP_NAME } }];

/**
 * Pods read the ConfigMap only when they start, so a changed ConfigMap must change the pod template to roll the
 * pods: a hash of everything the environment is made of goes into an annotation.
 */
export function configHash(): string {
  return createHash('sha256')
    .update(JSON.stringify({ data: configMapData(), env: secretEnv() }))
    .digest('hex')
    .slice(0, 16);
}
