/**
 * The typed Kubernetes models (kubernetes-models and @kubernetes-models/keda), loaded once per process.
 *
 * Both packages are ECMAScript modules only (their exports have no `require` condition), while the workspace
 * compiles to CommonJS. The tools project therefore compiles with `module: node16`: its files stay CommonJS,
 * but an `import()` is kept as a real dynamic import (with `module: commonjs` tsc would turn it into a
 * `require()`, which cannot load these packages). The types come through unchanged: `new Deployment({...})`
 * is checked against the Kubernetes API types by tsc, and `.validate()` checks the object against the
 * Kubernetes JSON schema when the manifests are generated.
 */
export async function loadModels() {
  const [core, apps, batch, policy, autoscaling, keda] = await Promise.all([
    import('kubernetes-models/v1'),
    import('kubernetes-models/apps/v1'),
    import('kubernetes-models/batch/v1'),
    import('kubernetes-models/policy/v1'),
    import('kubernetes-models/autoscaling/v2'),
    import('@kubernetes-models/keda/keda.sh/v1alpha1'),
  ]);
  return {
    Namespace: core.Namespace,
    ConfigMap: core.ConfigMap,
    Service: core.Service,
    Deployment: apps.Deployment,
    Job: batch.Job,
    PodDisruptionBudget: policy.PodDisruptionBudget,
    HorizontalPodAutoscaler: autoscaling.HorizontalPodAutoscaler,
    ScaledObject: keda.ScaledObject,
    TriggerAuthentication: keda.TriggerAuthentication,
  };
}

export type Models = Awaited<ReturnType<typeof loadModels>>;

/** What every generated object is: a model that knows its kind and can check itself against its schema. */
export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
  validate(): void;
  toJSON(): unknown;
}
