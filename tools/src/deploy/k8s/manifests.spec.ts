import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { IScaledObject, ITriggerAuthentication } from '@kubernetes-models/keda/keda.sh/v1alpha1' with { 'resolution-mode': 'import' };
import type { IDeployment } from 'kubernetes-models/apps/v1' with { 'resolution-mode': 'import' };
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2' with { 'resolution-mode': 'import' };
import type { IJob } from 'kubernetes-models/batch/v1' with { 'resolution-mode': 'import' };
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1' with { 'resolution-mode': 'import' };
import type { IConfigMap, IContainer, IEnvVar, IPodSpec } from 'kubernetes-models/v1' with { 'resolution-mode': 'import' };
import { amqpVhost, configSchema, DEV_JWT_SECRET, splitUrlList } from '@seckill/config';
import { Queue } from '@seckill/messaging';
import { ManifestValidationError, validateAll } from './generate';
import { buildManifests, plain, renderManifests, type ManifestFile } from './manifests';
import { loadModels, type Models } from './models';
import { GENERATED_DIR, readRelease, REGENERATE_COMMAND, REPO_ROOT } from './release';
import { APP_NAMES, APPS, HEALTH, PRE_STOP_SECONDS, SECRET_NAME } from './settings';

const release = readRelease();
let models: Models;
let files: ManifestFile[];

before(async () => {
  models = await loadModels();
  files = buildManifests(models, release);
});

function ofKind<T>(kind: string): T[] {
  return files.flatMap((f) => f.objects.filter((o) => o.kind === kind).map((o) => plain(o) as T));
}
function only<T>(items: T[], what: string): T {
  assert.equal(items.length, 1, `exactly one ${what}`);
  return items[0]!;
}
const deploymentOf = (app: string) => only(ofKind<IDeployment>('Deployment').filter((d) => d.metadata?.name === app), `Deployment ${app}`);
const podOf = (d: IDeployment | IJob): IPodSpec => d.spec!.template.spec!;
const containerOf = (d: IDeployment | IJob): IContainer => only(podOf(d).containers, 'container');
const configMap = () => only(ofKind<IConfigMap>('ConfigMap'), 'ConfigMap').data!;
const envValue = (env: IEnvVar[], name: string) => only(env.filter((e) => e.name === name), `env ${name}`);

/** A setting that may list several nodes, one URL per node, split as the apps split it. */
const nodesOf = (list: string) => splitUrlList(list).map((node) => new URL(node));
/** The vhost an AMQP URL names, as the apps read it. */
const vhostOf = (url: URL) => amqpVhost(url.href);
const matches = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);

/** Every string anywhere in a JSON value. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

describe('Kubernetes manifests', () => {
  it('every object is valid against its Kubernetes or KEDA schema', () => {
    assert.doesNotThrow(() => validateAll(files));
    const kinds = new Set(files.flatMap((f) => f.objects.map((o) => o.kind)));
    for (const kind of ['Namespace', 'ConfigMap', 'Job', 'Deployment', 'Service', 'PodDisruptionBudget', 'HorizontalPodAutoscaler', 'ScaledObject', 'TriggerAuthentication']) {
      assert.ok(kinds.has(kind), `a ${kind} is generated`);
    }
  });

  it('validation refuses a wrong field, naming the file and the object', () => {
    const broken = new models.Deployment({
      metadata: { name: 'broken' },
      // @ts-expect-error replicas is a number: the types refuse this before validation does
      spec: { replicas: '2', selector: { matchLabels: { app: 'broken' } }, template: {} },
    });
    assert.throws(() => broken.validate(), /replicas must be integer/);
    assert.throws(() => validateAll([{ file: 'broken.yaml', objects: [broken] }]), (err: unknown) => {
      assert.ok(err instanceof ManifestValidationError);
      assert.match(err.message, /broken\.yaml: Deployment broken: .*replicas must be integer/);
      return true;
    });
  });

  it('probes every app on its health routes, on the port the configuration gives it', () => {
    const config = configMap();
    for (const app of APP_NAMES) {
      const container = containerOf(deploymentOf(app));
      const http = only((container.ports ?? []).filter((p) => p.name === 'http'), `${app} http port`);
      assert.equal(String(http.containerPort), config[APPS[app].portSetting], `${app} listens where its setting says`);
      assert.deepEqual(container.readinessProbe?.httpGet, { path: '/health/ready', port: 'http' }, `${app} readiness`);
      assert.deepEqual(container.livenessProbe?.httpGet, { path: '/health', port: 'http' }, `${app} liveness`);
      assert.deepEqual(container.startupProbe?.httpGet, { path: '/health', port: 'http' }, `${app} startup`);
      assert.deepEqual([HEALTH.live, HEALTH.ready], ['/health', '/health/ready']);
      // /health/ready probes the dependencies first, each within DEPENDENCY_PROBE_TIMEOUT_MS.
      assert.ok(container.readinessProbe!.timeoutSeconds! * 1000 > Number(config.DEPENDENCY_PROBE_TIMEOUT_MS), `${app} readiness waits out a dependency probe`);
    }
  });

  it('gives every pod longer to stop than the app drains after SIGTERM, plus the preStop pause', () => {
    const grace = Number(configMap().SHUTDOWN_GRACE_MS);
    assert.equal(grace, configSchema.shape.SHUTDOWN_GRACE_MS.parse(undefined), 'the pinned grace is the apps default');
    for (const app of APP_NAMES) {
      const pod = podOf(deploymentOf(app));
      const container = containerOf(deploymentOf(app));
      const preStopMs = (container.lifecycle?.preStop?.sleep?.seconds ?? 0) * 1000;
      const periodMs = pod.terminationGracePeriodSeconds! * 1000;
      assert.ok(periodMs > preStopMs + grace, `${app}: ${periodMs} ms > preStop ${preStopMs} ms + SHUTDOWN_GRACE_MS ${grace} ms`);
      const drainMs = APPS[app].drain.reduce((sum, stage) => sum + stage.ms, 0);
      assert.ok(periodMs > preStopMs + drainMs, `${app}: ${periodMs} ms covers every drain stage (${drainMs} ms)`);
      assert.equal(preStopMs, APPS[app].servesClients ? PRE_STOP_SECONDS * 1000 : 0, `${app}: preStop pause only where clients connect`);
    }
    // order-api runs its request gate, then stops its consumers: two bounded waits one after the other.
    assert.ok(podOf(deploymentOf('order-api')).terminationGracePeriodSeconds! * 1000 >= PRE_STOP_SECONDS * 1000 + 2 * grace);
  });

  it('states the grace periods docs/deploy.md gives', () => {
    const docs = readFileSync(join(REPO_ROOT, 'docs/deploy.md'), 'utf8');
    for (const app of APP_NAMES) {
      const row = only(docs.split('\n').filter((line) => line.startsWith(`| ${app} |`)), `the grace-period row of ${app} in docs/deploy.md`);
      const seconds = podOf(deploymentOf(app)).terminationGracePeriodSeconds;
      assert.ok(row.endsWith(`**${seconds}** |`), `docs/deploy.md: ${app} stops within ${seconds} s`);
    }
  });

  it('has a PodDisruptionBudget selecting each app and no other', () => {
    const budgets = ofKind<IPodDisruptionBudget>('PodDisruptionBudget');
    const podLabels = APP_NAMES.map((app) => ({ app, labels: deploymentOf(app).spec!.template.metadata!.labels! }));
    for (const { app, labels } of podLabels) {
      const budget = only(
        budgets.filter((b) => matches(b.spec!.selector!.matchLabels!, labels)),
        `PodDisruptionBudget for ${app}`,
      );
      assert.deepEqual(
        podLabels.filter((p) => matches(budget.spec!.selector!.matchLabels!, p.labels)).map((p) => p.app),
        [app],
      );
      assert.equal(budget.spec!.maxUnavailable, 1);
    }
  });

  it('scales order-api on CPU, against a CPU request, and leaves its replicas to the autoscaler', () => {
    const hpa = only(ofKind<IHorizontalPodAutoscaler>('HorizontalPodAutoscaler'), 'HorizontalPodAutoscaler');
    assert.deepEqual(hpa.spec!.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: 'order-api' });
    const metric = only(hpa.spec!.metrics ?? [], 'metric');
    assert.equal(metric.type, 'Resource');
    assert.equal(metric.resource?.name, 'cpu');
    assert.equal(metric.resource?.target.type, 'Utilization');
    assert.ok(containerOf(deploymentOf('order-api')).resources?.requests?.cpu, 'utilisation is measured against the request');
    assert.ok(hpa.spec!.minReplicas! >= 2);
    assert.equal(deploymentOf('order-api').spec!.replicas, undefined);
  });

  it('scales order-worker with KEDA on the depth of the pending queue, in the vhost the apps use', () => {
    const scaler = only(ofKind<IScaledObject>('ScaledObject'), 'ScaledObject');
    assert.deepEqual(scaler.spec.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: 'order-worker' });
    const trigger = only(scaler.spec.triggers, 'trigger');
    assert.equal(trigger.type, 'rabbitmq');
    assert.equal(trigger.metadata.queueName, Queue.PENDING);
    assert.equal(trigger.metadata.mode, 'QueueLength');
    // Over the management API the length includes what workers hold unacknowledged (up to their prefetch each).
    assert.equal(trigger.metadata.protocol, 'http');
    const amqp = nodesOf(envValue(containerOf(deploymentOf('order-worker')).env ?? [], 'RABBITMQ_URL').value!);
    assert.equal(trigger.metadata.vhostName, vhostOf(amqp[0]!));
    const auth = only(
      ofKind<ITriggerAuthentication>('TriggerAuthentication').filter((a) => a.metadata?.name === trigger.authenticationRef?.name),
      'TriggerAuthentication of the trigger',
    );
    const host = only((auth.spec.secretTargetRef ?? []).filter((r) => r.parameter === 'host'), 'host parameter');
    assert.equal(host.name, SECRET_NAME);
    assert.ok(scaler.spec.minReplicaCount! >= 2, 'the worker also sweeps and reconciles: never scaled to zero');
    assert.equal(deploymentOf('order-worker').spec!.replicas, undefined);
  });

  it('reaches RabbitMQ and Redis as clusters of three', () => {
    const env = containerOf(deploymentOf('order-api')).env ?? [];
    const amqp = nodesOf(envValue(env, 'RABBITMQ_URL').value!);
    const management = nodesOf(envValue(env, 'RABBITMQ_MANAGEMENT_URL').value!);
    assert.equal(amqp.length, 3);
    assert.equal(management.length, 3);
    assert.ok(amqp.every((u) => u.protocol === 'amqp:') && management.every((u) => u.protocol === 'http:'));
    assert.equal(new Set(amqp.map((u) => u.hostname)).size, 3, 'three different nodes');
    assert.deepEqual(management.map((u) => u.hostname), amqp.map((u) => u.hostname), 'a management endpoint per node');
    assert.equal(new Set(amqp.map(vhostOf)).size, 1, 'one vhost');
    const redis = configMap().REDIS_CLUSTER_NODES!.split(',');
    assert.equal(redis.length, 3);
    for (const node of redis) assert.match(node, /^[a-z0-9.-]+:\d+$/, 'host:port');
  });

  it('configures production: every ConfigMap key is a setting the apps read, with a value they accept', () => {
    const data = configMap();
    assert.equal(data.NODE_ENV, 'production');
    assert.ok(data.METRICS_PORT, 'metrics on their own port in production');
    // REDIS_CLUSTER_NODES is added to the schema by the Redis Cluster work of issue 14.
    const settings = new Set([...Object.keys(configSchema.shape), 'REDIS_CLUSTER_NODES']);
    for (const key of Object.keys(data)) assert.ok(settings.has(key), `${key} is a setting`);
    const parsed = configSchema.partial().safeParse(data);
    assert.ok(parsed.success, parsed.success ? '' : parsed.error.message);
  });

  it('holds no secret value: secrets come from the Secret, by reference', () => {
    assert.equal(ofKind('Secret').length, 0, 'no Secret object');
    const secretSettings = ['DATABASE_URL', 'REDIS_URL', 'JWT_SECRET', 'ADMIN_USERNAME', 'ADMIN_PASSWORD'];
    const data = configMap();
    for (const key of [...secretSettings, 'RABBITMQ_URL', 'RABBITMQ_MANAGEMENT_URL']) assert.ok(!(key in data), `${key} not in the ConfigMap`);
    const workloads = [...ofKind<IDeployment>('Deployment'), ...ofKind<IJob>('Job')];
    assert.equal(workloads.length, 4);
    for (const workload of workloads) {
      const env = containerOf(workload).env ?? [];
      for (const name of secretSettings) {
        const v = envValue(env, name);
        assert.equal(v.value, undefined, `${name} has no literal value`);
        assert.equal(v.valueFrom?.secretKeyRef?.name, SECRET_NAME, `${name} comes from the Secret`);
      }
      // The broker URLs carry credentials only as $(VAR) of variables taken from the Secret above them.
      for (const name of ['RABBITMQ_URL', 'RABBITMQ_MANAGEMENT_URL']) {
        const at = env.findIndex((e) => e.name === name);
        for (const url of nodesOf(env[at]!.value!)) {
          for (const part of [url.username, url.password]) {
            const ref = /^\$\(([A-Z_]+)\)$/.exec(part)?.[1];
            assert.ok(ref, `${name}: credentials by reference, not "${part}"`);
            const source = env.findIndex((e) => e.name === ref);
            assert.ok(source >= 0 && source < at, `${ref} is defined before ${name}`);
            assert.equal(env[source]!.valueFrom?.secretKeyRef?.name, SECRET_NAME);
          }
        }
      }
    }
    // Anywhere in the output: no URL with a literal password, no development secret.
    for (const text of strings(files.flatMap((f) => f.objects.map(plain)))) {
      assert.ok(!text.includes(DEV_JWT_SECRET) && !/guest:guest/.test(text), `no development credentials: ${text}`);
      for (const [, password] of text.matchAll(/[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:([^@\s]*)@/gi)) {
        assert.match(password!, /^\$\([A-Z_]+\)$/, `a password in the output must be a reference: ${text}`);
      }
    }
  });

  it('runs every pod as non-root on a read-only root filesystem, without service links or an API token', () => {
    for (const workload of [...ofKind<IDeployment>('Deployment'), ...ofKind<IJob>('Job')]) {
      const pod = podOf(workload);
      const container = containerOf(workload);
      const name = workload.metadata?.name;
      assert.equal(pod.securityContext?.runAsNonRoot, true, `${name} non-root`);
      assert.ok(pod.securityContext?.runAsUser, `${name}: a numeric user, which runAsNonRoot can verify`);
      assert.equal(container.securityContext?.readOnlyRootFilesystem, true, `${name} read-only root`);
      assert.equal(container.securityContext?.allowPrivilegeEscalation, false);
      assert.equal(pod.enableServiceLinks, false, `${name}: no <SERVICE>_PORT variables shadowing the settings`);
      assert.equal(pod.automountServiceAccountToken, false);
      assert.ok(container.resources?.requests && container.resources.limits, `${name} requests and limits`);
    }
  });

  it('runs the files the build makes, with the image of this release', () => {
    for (const workload of [...ofKind<IDeployment>('Deployment'), ...ofKind<IJob>('Job')]) {
      const container = containerOf(workload);
      assert.equal(container.image, `seckill:${release.version}`);
      const [node, entry] = container.command ?? [];
      assert.equal(node, 'node');
      assert.ok(entry && existsSync(join(REPO_ROOT, entry)), `${entry} exists after the build (the image runs the same dist/)`);
    }
    assert.deepEqual(containerOf(only(ofKind<IJob>('Job'), 'Job')).command, ['node', 'dist/tools/src/migrate.js']);
  });

  it(`matches the committed ${GENERATED_DIR} (regenerate with ${REGENERATE_COMMAND})`, () => {
    const fresh = renderManifests(files);
    const dir = join(REPO_ROOT, GENERATED_DIR);
    const committed = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.yaml')) : [];
    const stale = `${GENERATED_DIR} is out of date: run \`${REGENERATE_COMMAND}\` and commit the result`;
    assert.deepEqual(committed.sort(), [...fresh.keys()].sort(), `${stale} (files differ)`);
    for (const [file, text] of fresh) assert.equal(readFileSync(join(dir, file), 'utf8'), text, `${stale} (${file} differs)`);
  });
});

describe('release', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'seckill-release-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('takes the containers commands from package.json, and refuses a script that is not `node dist/…`', () => {
    const scripts = {
      'start:order-api': 'node scripts/ensure-built.mjs && node dist/apps/order-api/src/main.js',
      'start:order-worker': 'node scripts/ensure-built.mjs && node dist/apps/order-worker/src/main.js',
      'start:websocket-notifier': 'node scripts/ensure-built.mjs && node dist/apps/websocket-notifier/src/main.js',
      'db:migrate': 'node dist/tools/src/migrate.js',
    };
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ version: '9.9.9', scripts }));
    const read = readRelease(dir);
    assert.equal(read.image, 'seckill:9.9.9');
    assert.deepEqual(read.commands['order-worker'], ['node', 'dist/apps/order-worker/src/main.js']);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ version: '9.9.9', scripts: { ...scripts, 'db:migrate': 'bash scripts/migrate.sh' } }));
    assert.throws(() => readRelease(dir), /db:migrate should end with "node dist\/…"/);
  });
});
